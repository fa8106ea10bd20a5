package dev.era.operator;

import static dev.era.operator.TestCluster.agentSetsPhase;
import static dev.era.operator.TestCluster.awaitPhase;
import static dev.era.operator.TestCluster.createRunFromYaml;
import static dev.era.operator.TestCluster.createVm;
import static dev.era.operator.TestCluster.createVmFromYaml;
import static dev.era.operator.TestCluster.getRun;
import static dev.era.operator.TestCluster.readyNode;
import static dev.era.operator.TestCluster.retryingConflicts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVMPhase;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.api.Times;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** EraRuns: failing fast on unusable VMs, waiting for booting ones, handing over, cleaning up. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = ApplyCrds.class)
class RunIT {
  @Inject KubernetesClient client;

  @BeforeEach
  void startEmpty() {
    TestCluster.clear(client);
  }

  private EraRun awaitFailed(String ns, String name, String reason) {
    await().until(() -> getRun(client, ns, name).getStatus().getPhase() == EraRunPhase.Failed);
    EraRun run = getRun(client, ns, name);
    assertThat(run.getStatus().getReason()).isEqualTo(reason);
    return run;
  }

  @Test
  void aRunOnAMissingVmFails() {
    createRunFromYaml(client, "runs", "orphan", "{vmName: ghost, shell: 'echo hi'}");
    assertThat(awaitFailed("runs", "orphan", Reasons.VM_NOT_FOUND).getStatus().getMessage())
        .isEqualTo("EraVM ghost does not exist in namespace runs");
  }

  @Test
  void aRunOnAStoppedVmFails() {
    createVm(client, "runs", "off", vm -> vm.getSpec().setRunning(false));
    createRunFromYaml(client, "runs", "on-off", "{vmName: off, command: [ls]}");
    assertThat(awaitFailed("runs", "on-off", Reasons.VM_STOPPED).getStatus().getMessage())
        .isEqualTo("EraVM off is stopped (spec.running is false)");
  }

  @Test
  void aRunOnAFailedVmFails() {
    createVmFromYaml(client, "runs", "broken", "{cpu: 0}");
    awaitPhase(client, "runs", "broken", EraVMPhase.Failed);
    createRunFromYaml(client, "runs", "on-broken", "{vmName: broken, command: [ls]}");
    assertThat(awaitFailed("runs", "on-broken", Reasons.VM_FAILED).getStatus().getMessage())
        .startsWith("EraVM broken has failed: spec.cpu");
  }

  @Test
  void aRunWaitsForItsVmThenGoesToItsNode() {
    readyNode(client, "worker", 2, "2Gi");
    createVm(client, "runs", "box", vm -> {});
    awaitPhase(client, "runs", "box", EraVMPhase.Scheduled);
    createRunFromYaml(client, "runs", "job", "{vmName: box, shell: 'echo hi'}");
    await().until(() -> Reasons.WAITING_FOR_VM.equals(getRun(client, "runs", "job").getStatus()
        .getReason()));
    agentSetsPhase(client, "runs", "box", EraVMPhase.Provisioning);
    await().during(Duration.ofMillis(500)).until(() -> {
      EraRun run = getRun(client, "runs", "job");
      return run.getStatus().getNodeName() == null
          && run.getStatus().getPhase() == EraRunPhase.Pending;
    });

    agentSetsPhase(client, "runs", "box", EraVMPhase.Running);
    await().untilAsserted(() -> {
      EraRun run = getRun(client, "runs", "job");
      assertThat(run.getMetadata().getLabels()).containsEntry(Labels.NODE, "worker");
      assertThat(run.getStatus().getNodeName()).isEqualTo("worker");
      assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Pending);
      assertThat(run.getStatus().getReason()).isEqualTo(Reasons.DISPATCHED);
    });
  }

  @Test
  void finishedRunsAreCollectedAfterTheirTtl() {
    createRunFromYaml(client, "runs", "done", "{vmName: gone, shell: 'true'}");
    awaitFailed("runs", "done", Reasons.VM_NOT_FOUND);
    // The operator's own failure counts as finished: gone after the 2 s test TTL.
    await().atMost(Duration.ofSeconds(8)).until(() -> getRun(client, "runs", "done") == null);

    createRunFromYaml(client, "runs", "agent-done", "{vmName: gone, shell: 'true'}");
    retryingConflicts(() -> client.resources(EraRun.class).inNamespace("runs")
        .withName("agent-done").editStatus(run -> {
          run.getStatus().setPhase(EraRunPhase.Succeeded);
          run.getStatus().setExitCode(0);
          run.getStatus().setFinishedAt(Times.format(Instant.now()));
          return run;
        }));
    await().atMost(Duration.ofSeconds(8))
        .until(() -> getRun(client, "runs", "agent-done") == null);
  }
}
