package dev.era.operator;

import static dev.era.operator.TestCluster.agentReportsTornDown;
import static dev.era.operator.TestCluster.agentSetsPhase;
import static dev.era.operator.TestCluster.awaitPhase;
import static dev.era.operator.TestCluster.createVm;
import static dev.era.operator.TestCluster.editSpec;
import static dev.era.operator.TestCluster.events;
import static dev.era.operator.TestCluster.getVm;
import static dev.era.operator.TestCluster.readyNode;
import static dev.era.operator.TestCluster.reportNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Finalizers;
import dev.era.api.Labels;
import dev.era.api.PersistSpec;
import dev.era.api.Reasons;
import dev.era.api.TtlSpec;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.AdminClient;
import dev.era.apiserver.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Spec changes, stop and start, deletion, lost nodes and TTLs, with the test as node agent. */
@QuarkusTest
@WithEmbeddedApiServer(Component.OPERATOR)
class VmLifecycleIT {
  @AdminClient KubernetesClient client;

  @BeforeEach
  void startEmpty() {
    TestCluster.clear(client);
  }

  @Test
  void aSpecChangeIsReconciled() {
    readyNode(client, "n", 2, "1Gi");
    String ns = "resize";
    createVm(client, ns, "vm", vm -> vm.getSpec().setMemory("2Gi"));
    await()
        .untilAsserted(
            () ->
                assertThat(
                        getVm(client, ns, "vm")
                            .getStatus()
                            .isFalseBecause(ConditionTypes.SCHEDULED, Reasons.UNSCHEDULABLE))
                    .isTrue());

    editSpec(client, ns, "vm", vm -> vm.getSpec().setMemory("512Mi"));
    EraVM vm = awaitPhase(client, ns, "vm", EraVMPhase.Scheduled);
    assertThat(vm.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(vm.getStatus().getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void stoppingFreesRoomAndStartingAgainWaitsForIt() {
    readyNode(client, "n", 2, "4Gi");
    String ns = "stopstart";
    createVm(client, ns, "a", vm -> vm.getSpec().setCpu(2));
    awaitPhase(client, ns, "a", EraVMPhase.Scheduled);
    agentSetsPhase(client, ns, "a", EraVMPhase.Running);
    createVm(client, ns, "b", vm -> vm.getSpec().setCpu(2));
    await()
        .untilAsserted(
            () ->
                assertThat(
                        getVm(client, ns, "b")
                            .getStatus()
                            .isFalseBecause(ConditionTypes.SCHEDULED, Reasons.UNSCHEDULABLE))
                    .isTrue());

    // Stop a: its CPUs go to b, without any node change or periodic retry.
    editSpec(client, ns, "a", vm -> vm.getSpec().setRunning(false));
    agentSetsPhase(client, ns, "a", EraVMPhase.Stopped);
    assertThat(awaitPhase(client, ns, "b", EraVMPhase.Scheduled).getStatus().getNodeName())
        .isEqualTo("n");

    // Start a again: its node is full now, so it must not start.
    editSpec(client, ns, "a", vm -> vm.getSpec().setRunning(true));
    await()
        .untilAsserted(
            () -> {
              EraVM a = getVm(client, ns, "a");
              assertThat(
                      a.getStatus().isFalseBecause(ConditionTypes.SCHEDULED, Reasons.UNSCHEDULABLE))
                  .isTrue();
              assertThat(a.shouldRun()).isFalse();
              assertThat(a.getStatus().getNodeName()).isEqualTo("n");
            });

    // b goes away (its agent tears it down): a may start.
    client.resource(getVm(client, ns, "b")).delete();
    agentReportsTornDown(client, ns, "b");
    await().untilAsserted(() -> assertThat(getVm(client, ns, "a").shouldRun()).isTrue());
  }

  @Test
  void deletionWaitsForTheNodeAgentOfAPlacedVm() {
    readyNode(client, "n", 2, "4Gi");
    String ns = "delete";
    createVm(client, ns, "placed", vm -> {});
    awaitPhase(client, ns, "placed", EraVMPhase.Scheduled);
    createVm(client, ns, "unplaced", vm -> vm.getSpec().setCpu(8));
    await()
        .until(
            () ->
                getVm(client, ns, "unplaced")
                    .getMetadata()
                    .getFinalizers()
                    .contains(Finalizers.VM_CLEANUP));

    client.resource(getVm(client, ns, "placed")).delete();
    client.resource(getVm(client, ns, "unplaced")).delete();
    // The operator is handed the deletions in the order they came, and the placed VM's needs no
    // write: once the later one is gone, the operator has looked at the placed VM's deletion too.
    await().until(() -> getVm(client, ns, "unplaced") == null);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(
            () -> {
              EraVM vm = getVm(client, ns, "placed");
              return vm != null && vm.hasFinalizer(Finalizers.VM_CLEANUP);
            });
    agentReportsTornDown(client, ns, "placed");
    await().until(() -> getVm(client, ns, "placed") == null);
  }

  /**
   * The name of a VM whose finalizer was just removed is free for a new VM at once. The operator's
   * delete event may come before its own cleanup has finished; neither order may leave the name
   * marked as deleted, or the new VM would never be reconciled. Each round is one chance of the
   * race, so the test runs many.
   */
  @Test
  void aVmCreatedAgainUnderTheNameOfOneJustDeletedIsReconciled() {
    String ns = "again";
    for (int round = 1; round <= 40; round++) {
      long generation = createVm(client, ns, "vm", vm -> {}).getMetadata().getGeneration();
      await()
          .alias("round " + round + ": the new VM is reconciled")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                EraVM vm = getVm(client, ns, "vm");
                return vm != null
                    && vm.hasFinalizer(Finalizers.VM_CLEANUP)
                    && vm.getStatus()
                        .isFalseBecause(ConditionTypes.SCHEDULED, Reasons.UNSCHEDULABLE)
                    && Long.valueOf(generation).equals(vm.getStatus().getObservedGeneration());
              });
      client.resource(getVm(client, ns, "vm")).delete();
      await().atMost(Duration.ofSeconds(10)).until(() -> getVm(client, ns, "vm") == null);
    }
  }

  @Test
  void vmsOnALostNodeMoveOrFail() {
    EraNode first = readyNode(client, "first", 4, "4Gi");
    String ns = "lost";
    createVm(client, ns, "ephemeral", vm -> {});
    createVm(client, ns, "disk", vm -> vm.getSpec().setPersist(new PersistSpec("1Gi")));
    awaitPhase(client, ns, "ephemeral", EraVMPhase.Scheduled);
    awaitPhase(client, ns, "disk", EraVMPhase.Scheduled);
    agentSetsPhase(client, ns, "disk", EraVMPhase.Running);
    readyNode(client, "second", 4, "4Gi");

    reportNode(client, first, false, 4, "4Gi");
    await()
        .untilAsserted(
            () -> {
              EraVM moved = getVm(client, ns, "ephemeral");
              assertThat(moved.getStatus().getNodeName()).isEqualTo("second");
              assertThat(moved.getMetadata().getLabels()).containsEntry(Labels.NODE, "second");
              assertThat(moved.getStatus().getPhase()).isEqualTo(EraVMPhase.Scheduled);
            });
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, ns, "ephemeral"))
                    .anySatisfy(e -> assertThat(e.getReason()).isEqualTo(Reasons.RESCHEDULED)));
    EraVM failed = awaitPhase(client, ns, "disk", EraVMPhase.Failed);
    assertThat(failed.getStatus().getReason()).isEqualTo(Reasons.NODE_LOST);
    assertThat(failed.getStatus().isFalseBecause(ConditionTypes.SCHEDULED, Reasons.NODE_LOST))
        .isTrue();
    assertThat(failed.getStatus().getNodeName()).isEqualTo("first");

    // No agent will tear it down: the operator lets it go.
    client.resource(failed).delete();
    await().until(() -> getVm(client, ns, "disk") == null);
  }

  @Test
  void absoluteTtlDeletes() {
    readyNode(client, "n", 2, "4Gi");
    String ns = "ttl-delete";
    createVm(
        client,
        ns,
        "short",
        vm -> {
          TtlSpec ttl = new TtlSpec();
          ttl.setAbsoluteSeconds(2L);
          ttl.setAction("Delete");
          vm.getSpec().setTtl(ttl);
        });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> getVm(client, ns, "short").isMarkedForDeletion());
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, ns, "short"))
                    .anySatisfy(e -> assertThat(e.getReason()).isEqualTo(Reasons.TTL_DELETED)));
    agentReportsTornDown(client, ns, "short");
    await().until(() -> getVm(client, ns, "short") == null);
  }

  @Test
  void idleTtlStopsUntilTheUserRestarts() {
    readyNode(client, "n", 2, "4Gi");
    String ns = "ttl-idle";
    createVm(
        client,
        ns,
        "idle",
        vm -> {
          TtlSpec ttl = new TtlSpec();
          ttl.setIdleSeconds(1L);
          vm.getSpec().setTtl(ttl);
        });
    awaitPhase(client, ns, "idle", EraVMPhase.Scheduled);
    agentSetsPhase(client, ns, "idle", EraVMPhase.Running);
    await()
        .untilAsserted(
            () -> {
              EraVM vm = getVm(client, ns, "idle");
              assertThat(vm.getStatus().isTrue(ConditionTypes.EXPIRED)).isTrue();
              assertThat(vm.getStatus().condition(ConditionTypes.EXPIRED).orElseThrow().getReason())
                  .isEqualTo(Reasons.IDLE_TIMEOUT);
              assertThat(vm.shouldRun()).isFalse();
            });
    agentSetsPhase(client, ns, "idle", EraVMPhase.Stopped);

    editSpec(client, ns, "idle", vm -> vm.getSpec().setRunning(false));
    await()
        .until(
            () ->
                getVm(client, ns, "idle").getStatus().condition(ConditionTypes.EXPIRED).isEmpty());
    editSpec(client, ns, "idle", vm -> vm.getSpec().setRunning(true));
    await().until(() -> getVm(client, ns, "idle").shouldRun());
  }
}
