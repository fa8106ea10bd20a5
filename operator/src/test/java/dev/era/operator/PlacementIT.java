package dev.era.operator;

import static dev.era.operator.TestCluster.awaitPhase;
import static dev.era.operator.TestCluster.createVm;
import static dev.era.operator.TestCluster.events;
import static dev.era.operator.TestCluster.getVm;
import static dev.era.operator.TestCluster.readyNode;
import static dev.era.operator.TestCluster.reportNode;
import static dev.era.operator.TestCluster.schedulingMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Finalizers;
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

@QuarkusTest
@WithEmbeddedApiServer(Component.OPERATOR)
class PlacementIT {
  @AdminClient KubernetesClient client;

  @BeforeEach
  void startEmpty() {
    TestCluster.clear(client);
  }

  @Test
  void packsByMemoryAndRecordsThePlacement() {
    readyNode(client, "big", 8, "8Gi");
    readyNode(client, "small", 8, "1Gi");
    String ns = "packing";
    createVm(client, ns, "a", vm -> vm.getSpec().setMemory("512Mi"));
    EraVM a = awaitPhase(client, ns, "a", EraVMPhase.Scheduled);
    createVm(client, ns, "b", vm -> vm.getSpec().setMemory("1Gi"));
    EraVM b = awaitPhase(client, ns, "b", EraVMPhase.Scheduled);
    createVm(client, ns, "c", vm -> vm.getSpec().setMemory("512Mi"));
    EraVM c = awaitPhase(client, ns, "c", EraVMPhase.Scheduled);

    // Best fit by memory: the small node first, the big one only when small is too full.
    assertThat(a.getStatus().getNodeName()).isEqualTo("small");
    assertThat(b.getStatus().getNodeName()).isEqualTo("big");
    assertThat(c.getStatus().getNodeName()).isEqualTo("small");
    assertThat(a.getMetadata().getLabels()).containsEntry(Labels.NODE, "small");
    assertThat(a.getMetadata().getFinalizers()).containsExactly(Finalizers.VM_CLEANUP);
    assertThat(a.getStatus().isTrue(ConditionTypes.SCHEDULED)).isTrue();
    assertThat(a.getStatus().getObservedGeneration()).isEqualTo(a.getMetadata().getGeneration());
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, ns, "a"))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo(Reasons.SCHEDULED);
                          assertThat(e.getMessage()).contains("small");
                        }));
  }

  @Test
  void unschedulableUntilANodeGrows() {
    EraNode node = readyNode(client, "tiny", 1, "1Gi");
    String ns = "grow";
    createVm(client, ns, "wide", vm -> vm.getSpec().setCpu(2));
    await()
        .untilAsserted(
            () -> {
              EraVM vm = getVm(client, ns, "wide");
              assertThat(vm.getStatus().getPhase()).isEqualTo(EraVMPhase.Pending);
              assertThat(
                      vm.getStatus()
                          .isFalseBecause(ConditionTypes.SCHEDULED, Reasons.UNSCHEDULABLE))
                  .isTrue();
              assertThat(schedulingMessage(vm)).contains("tiny: 1 CPU, 1Gi memory free");
            });
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, ns, "wide"))
                    .anySatisfy(e -> assertThat(e.getReason()).isEqualTo(Reasons.UNSCHEDULABLE)));

    reportNode(client, node, true, 4, "1Gi");
    EraVM placed = awaitPhase(client, ns, "wide", EraVMPhase.Scheduled);
    assertThat(placed.getStatus().getNodeName()).isEqualTo("tiny");
  }

  @Test
  void aPinnedVmWaitsForItsNode() {
    readyNode(client, "left", 4, "4Gi");
    String ns = "pin";
    createVm(client, ns, "pinned", vm -> vm.getSpec().setNodeName("right"));
    await()
        .untilAsserted(
            () ->
                assertThat(schedulingMessage(getVm(client, ns, "pinned")))
                    .isEqualTo("pinned node right has no EraNode"));

    readyNode(client, "right", 4, "4Gi");
    assertThat(awaitPhase(client, ns, "pinned", EraVMPhase.Scheduled).getStatus().getNodeName())
        .isEqualTo("right");
  }

  @Test
  void notReadyAndSilentNodesTakeNothing() {
    EraNode down = readyNode(client, "down", 8, "8Gi");
    reportNode(client, down, false, 8, "8Gi");
    EraNode silent = readyNode(client, "silent", 8, "8Gi");
    client
        .resources(EraNode.class)
        .withName("silent")
        .editStatus(
            n -> {
              n.getStatus().setHeartbeat(Times.format(Instant.now().minus(Duration.ofHours(2))));
              return n;
            });
    String ns = "unhealthy";
    createVm(client, ns, "vm", vm -> {});
    await()
        .untilAsserted(
            () ->
                assertThat(schedulingMessage(getVm(client, ns, "vm")))
                    .contains(
                        "down: not Ready or heartbeat stale",
                        "silent: not Ready or heartbeat stale"));
    assertThat(silent.getMetadata().getName()).isEqualTo("silent");
  }
}
