package dev.era.operator;

import static dev.era.operator.TestCluster.agentSetsPhase;
import static dev.era.operator.TestCluster.awaitPhase;
import static dev.era.operator.TestCluster.createRunFromYaml;
import static dev.era.operator.TestCluster.createVm;
import static dev.era.operator.TestCluster.createVmFromYaml;
import static dev.era.operator.TestCluster.events;
import static dev.era.operator.TestCluster.getRun;
import static dev.era.operator.TestCluster.getVm;
import static dev.era.operator.TestCluster.readyNode;
import static dev.era.operator.TestCluster.reportNode;
import static dev.era.operator.TestCluster.retryingConflicts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.EraNode;
import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVMPhase;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.AdminClient;
import dev.era.apiserver.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EraRuns: failing fast on unusable VMs, waiting for booting ones, handing over, lost nodes,
 * cleaning up.
 */
@QuarkusTest
@WithEmbeddedApiServer(Component.OPERATOR)
class RunIT {
  @AdminClient KubernetesClient client;

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
  void aRunOnAMissingVmWaitsForItAWhileThenFails() {
    createRunFromYaml(client, "runs", "orphan", "{vmName: ghost, shell: 'echo hi'}");
    await()
        .untilAsserted(
            () ->
                assertThat(getRun(client, "runs", "orphan").getStatus())
                    .satisfies(s -> assertThat(s.getReason()).isEqualTo(Reasons.WAITING_FOR_VM))
                    .satisfies(
                        s ->
                            assertThat(s.getMessage())
                                .startsWith(
                                    "EraVM ghost does not exist in namespace runs (yet); the run fails at ")));
    assertThat(awaitFailed("runs", "orphan", Reasons.VM_NOT_FOUND).getStatus().getMessage())
        .isEqualTo("EraVM ghost does not exist in namespace runs");
  }

  @Test
  void aRunCreatedBeforeItsVmGoesToItOnceItRuns() {
    // `kubectl apply -f examples/` creates erarun.yaml's run before eravm.yaml's VM.
    readyNode(client, "worker", 2, "2Gi");
    createRunFromYaml(client, "runs", "eager", "{vmName: late, shell: 'echo hi'}");
    await()
        .until(
            () ->
                Reasons.WAITING_FOR_VM.equals(
                    getRun(client, "runs", "eager").getStatus().getReason()));
    runningVm("runs", "late");
    awaitDispatched("runs", "eager", "worker");
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
    createVmFromYaml(client, "runs", "broken", "{memory: 64Mi}");
    awaitPhase(client, "runs", "broken", EraVMPhase.Failed);
    createRunFromYaml(client, "runs", "on-broken", "{vmName: broken, command: [ls]}");
    assertThat(awaitFailed("runs", "on-broken", Reasons.VM_FAILED).getStatus().getMessage())
        .startsWith("EraVM broken has failed: spec.memory");
  }

  @Test
  void aRunWaitsForItsVmThenGoesToItsNode() {
    readyNode(client, "worker", 2, "2Gi");
    createVm(client, "runs", "box", vm -> {});
    awaitPhase(client, "runs", "box", EraVMPhase.Scheduled);
    createRunFromYaml(client, "runs", "job", "{vmName: box, shell: 'echo hi'}");
    await()
        .until(
            () ->
                Reasons.WAITING_FOR_VM.equals(
                    getRun(client, "runs", "job").getStatus().getReason()));
    agentSetsPhase(client, "runs", "box", EraVMPhase.Provisioning);
    // The reconcile that saw the VM Provisioning wrote this message, and kept the run here.
    await()
        .untilAsserted(
            () -> {
              EraRun run = getRun(client, "runs", "job");
              assertThat(run.getStatus().getMessage())
                  .isEqualTo("waiting for EraVM box to be Running (now Provisioning)");
              assertThat(run.getStatus().getNodeName()).isNull();
              assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Pending);
            });

    agentSetsPhase(client, "runs", "box", EraVMPhase.Running);
    await()
        .untilAsserted(
            () -> {
              EraRun run = getRun(client, "runs", "job");
              assertThat(run.getMetadata().getLabels()).containsEntry(Labels.NODE, "worker");
              assertThat(run.getStatus().getNodeName()).isEqualTo("worker");
              assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Pending);
              assertThat(run.getStatus().getReason()).isEqualTo(Reasons.DISPATCHED);
            });
  }

  /** A VM the operator placed and the (played) node agent booted. */
  private void runningVm(String ns, String name) {
    createVm(client, ns, name, vm -> {});
    awaitPhase(client, ns, name, EraVMPhase.Scheduled);
    agentSetsPhase(client, ns, name, EraVMPhase.Running);
  }

  /** A VM pinned to {@code node}, placed there and booted. */
  private void runningVmOn(String ns, String name, String node) {
    createVm(client, ns, name, vm -> vm.getSpec().setNodeName(node));
    awaitPhase(client, ns, name, EraVMPhase.Scheduled);
    agentSetsPhase(client, ns, name, EraVMPhase.Running);
  }

  /** Plays the node agent claiming a run handed to its node. */
  private void agentStartsRun(String ns, String name) {
    retryingConflicts(
        () ->
            client
                .resources(EraRun.class)
                .inNamespace(ns)
                .withName(name)
                .editStatus(
                    run -> {
                      run.getStatus().setPhase(EraRunPhase.Running);
                      run.getStatus().setStartedAt(Times.format(Instant.now()));
                      return run;
                    }));
  }

  private void awaitDispatched(String ns, String name, String node) {
    await()
        .untilAsserted(
            () -> {
              EraRun run = getRun(client, ns, name);
              assertThat(run.getMetadata().getLabels()).containsEntry(Labels.NODE, node);
              assertThat(run.getStatus().getNodeName()).isEqualTo(node);
              assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Pending);
              assertThat(run.getStatus().getReason()).isEqualTo(Reasons.DISPATCHED);
            });
  }

  @Test
  void runsOnALostNodeFailIfRunningAndFollowTheirVmIfNot() {
    String ns = "lost";
    EraNode sick = readyNode(client, "sick", 4, "4Gi");
    runningVm(ns, "box");
    createRunFromYaml(client, ns, "started", "{vmName: box, shell: 'sleep 600'}");
    createRunFromYaml(client, ns, "queued", "{vmName: box, shell: 'echo later'}");
    awaitDispatched(ns, "started", "sick");
    awaitDispatched(ns, "queued", "sick");
    agentStartsRun(ns, "started");

    readyNode(client, "well", 4, "4Gi");
    runningVmOn(ns, "pinned", "well");
    createRunFromYaml(client, ns, "healthy", "{vmName: pinned, shell: 'sleep 600'}");
    awaitDispatched(ns, "healthy", "well");
    agentStartsRun(ns, "healthy");

    reportNode(client, sick, false, 4, "4Gi");
    await()
        .untilAsserted(
            () -> {
              EraRun run = getRun(client, ns, "started");
              assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Failed);
              assertThat(run.getStatus().getReason()).isEqualTo(Reasons.NODE_LOST);
              assertThat(run.getStatus().getMessage())
                  .isEqualTo(
                      "node sick stayed NotReady past the grace"
                          + " period; the run was running there and its outcome is unknown");
              assertThat(run.getStatus().getFinishedAt()).isNotNull();
              // Never handed to another node: its command may have run in part.
              assertThat(run.getStatus().getNodeName()).isEqualTo("sick");
            });
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, ns, "started"))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo(Reasons.NODE_LOST);
                          assertThat(e.getMessage()).contains("node sick");
                        }));

    // The VM moved to "well": the run that had not started goes with it, once it runs there.
    await()
        .untilAsserted(
            () -> {
              EraRun run = getRun(client, ns, "queued");
              assertThat(run.getStatus().getNodeName()).isNull();
              assertThat(run.getMetadata().getLabels()).doesNotContainKey(Labels.NODE);
              assertThat(run.getStatus().getReason()).isEqualTo(Reasons.WAITING_FOR_VM);
            });
    await().until(() -> "well".equals(getVm(client, ns, "box").getStatus().getNodeName()));
    agentSetsPhase(client, ns, "box", EraVMPhase.Running);
    awaitDispatched(ns, "queued", "well");

    EraRun healthy = getRun(client, ns, "healthy");
    assertThat(healthy.getStatus().getPhase()).isEqualTo(EraRunPhase.Running);
    assertThat(healthy.getStatus().getFinishedAt()).isNull();
    // Finished by the operator, collected like any finished run.
    await().atMost(Duration.ofSeconds(8)).until(() -> getRun(client, ns, "started") == null);
  }

  @Test
  void aRunningRunOnANodeBackWithinTheGracePeriodIsLeftToItsAgent() {
    String ns = "blip";
    EraNode flaky = readyNode(client, "flaky", 2, "2Gi");
    EraNode down = readyNode(client, "down", 2, "2Gi");
    runningVmOn(ns, "box", "flaky");
    runningVmOn(ns, "witness-box", "down");
    createRunFromYaml(client, ns, "job", "{vmName: box, shell: 'sleep 600'}");
    createRunFromYaml(client, ns, "witness", "{vmName: witness-box, shell: 'sleep 600'}");
    awaitDispatched(ns, "job", "flaky");
    awaitDispatched(ns, "witness", "down");
    agentStartsRun(ns, "job");
    agentStartsRun(ns, "witness");

    reportNode(client, flaky, false, 2, "2Gi");
    reportNode(client, down, false, 2, "2Gi");
    reportNode(client, flaky, true, 2, "2Gi");
    // "down" went NotReady after "flaky" and stayed so: once the operator has failed its run, the
    // 2 s grace period counted from flaky's NotReady has ended too, and the operator has acted on
    // it.
    awaitFailed(ns, "witness", Reasons.NODE_LOST);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(
            () -> {
              EraRun run = getRun(client, ns, "job");
              return run != null
                  && run.getStatus().getPhase() == EraRunPhase.Running
                  && run.getStatus().getFinishedAt() == null;
            });
    assertThat(events(client, ns, "job"))
        .noneSatisfy(e -> assertThat(e.getReason()).isEqualTo(Reasons.NODE_LOST));
  }

  @Test
  void finishedRunsAreCollectedAfterTheirTtl() {
    createRunFromYaml(client, "runs", "done", "{vmName: gone, shell: 'true'}");
    awaitFailed("runs", "done", Reasons.VM_NOT_FOUND);
    // The operator's own failure counts as finished: gone after the 2 s test TTL.
    await().atMost(Duration.ofSeconds(8)).until(() -> getRun(client, "runs", "done") == null);

    createRunFromYaml(client, "runs", "agent-done", "{vmName: gone, shell: 'true'}");
    retryingConflicts(
        () ->
            client
                .resources(EraRun.class)
                .inNamespace("runs")
                .withName("agent-done")
                .editStatus(
                    run -> {
                      run.getStatus().setPhase(EraRunPhase.Succeeded);
                      run.getStatus().setExitCode(0);
                      run.getStatus().setFinishedAt(Times.format(Instant.now()));
                      return run;
                    }));
    await().atMost(Duration.ofSeconds(8)).until(() -> getRun(client, "runs", "agent-done") == null);
  }
}
