package dev.era.nodeagent;

import static dev.era.nodeagent.VmsAndRuns.awaitFinished;
import static dev.era.nodeagent.VmsAndRuns.awaitVm;
import static dev.era.nodeagent.VmsAndRuns.createRun;
import static dev.era.nodeagent.VmsAndRuns.createVm;
import static dev.era.nodeagent.VmsAndRuns.events;
import static dev.era.nodeagent.VmsAndRuns.getVm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.Annotations;
import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraRunStatus;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.PersistSpec;
import dev.era.api.Reasons;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.RequiresQemu;
import dev.era.nodeagent.vm.VmSpecs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One VM with a persistent disk through its life, in order (each step reuses the VM the previous
 * one left): stop and start keep the disk, a VM killed from outside fails with an event and boots
 * again after a stop and start, deleting it with the keep annotation keeps the disk for a new VM of
 * the same name, and deleting it without leaves nothing on the node. Last, a VM the launcher
 * refuses fails with the launcher's reason.
 */
@ExtendWith(RequiresQemu.class)
@TestMethodOrder(OrderAnnotation.class)
class VmLifecycleIT {
  @TempDir static Path dir;
  static AgentCluster cluster;
  static KubernetesClient client;
  static String vmId;

  @BeforeAll
  static void start() {
    cluster = AgentCluster.start(dir, GuestLanguage.PYTHON);
    client = cluster.client();
    vmId =
        VmSpecs.vmId(
            createVm(client, "disk", "python", s -> s.setPersist(new PersistSpec("64Mi"))));
    awaitVm(client, "disk", EraVMPhase.Running);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void stopAndStartKeepThePersistentDisk() {
    createRun(client, "write", "disk", s -> s.setShell("echo kept > keep.txt"));
    assertThat(awaitFinished(client, "write").getStatus().getExitCode()).isZero();

    setRunning(false);
    EraVM stopped = awaitVm(client, "disk", EraVMPhase.Stopped);

    assertThat(stopped.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.STOPPED)).isTrue();
    assertThat(cluster.processesOf(vmId)).isEmpty();
    assertThat(vmDir()).doesNotExist();
    assertThat(disk()).exists();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> node().getStatus().getAllocated().getCpu() == 0);

    setRunning(true);
    awaitVm(client, "disk", EraVMPhase.Running);
    createRun(client, "read", "disk", s -> s.setShell("cat keep.txt"));

    EraRunStatus read = awaitFinished(client, "read").getStatus();
    assertThat(read.getStdout()).isEqualTo("kept\n");
  }

  @Test
  @Order(2)
  void aVmKilledFromOutsideFailsWithAnEventAndBootsAgainAfterStopAndStart() {
    List<Long> qemu = cluster.processesOf(vmId);
    assertThat(qemu).hasSize(1);

    ProcessHandle.of(qemu.get(0)).orElseThrow().destroyForcibly();

    EraVM failed = awaitVm(client, "disk", EraVMPhase.Failed);
    assertThat(failed.getStatus().getReason()).isEqualTo(Reasons.VM_DIED);
    assertThat(failed.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.VM_DIED)).isTrue();
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, "disk"))
                    .anyMatch(
                        e ->
                            "Warning".equals(e.getType())
                                && Reasons.VM_DIED.equals(e.getReason())));
    await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(vmDir()));

    setRunning(false);
    awaitVm(client, "disk", EraVMPhase.Stopped);
    setRunning(true);
    awaitVm(client, "disk", EraVMPhase.Running);
    assertThat(cluster.processesOf(vmId)).hasSize(1);
  }

  @Test
  @Order(3)
  void deletingWithTheKeepAnnotationKeepsTheDiskForANewVmOfTheSameName() {
    String firstUid = getVm(client, "disk").getMetadata().getUid();
    // Written just before the deletion: it reaches the disk only if the guest powers off cleanly.
    createRun(client, "last", "disk", s -> s.setShell("echo last > last.txt"));
    assertThat(awaitFinished(client, "last").getStatus().getExitCode()).isZero();
    client
        .resources(EraVM.class)
        .inNamespace(VmsAndRuns.NAMESPACE)
        .withName("disk")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + Annotations.KEEP_PERSIST + "\":\"true\"}}}");
    client.resource(getVm(client, "disk")).delete();

    await().atMost(VmsAndRuns.BOOT).until(() -> getVm(client, "disk") == null);
    assertThat(cluster.processesOf(vmId)).isEmpty();
    assertThat(vmDir()).doesNotExist();
    assertThat(cluster.agentState().resolve("runs/default")).doesNotExist();
    assertThat(disk()).exists();

    EraVM again = createVm(client, "disk", "python", s -> s.setPersist(new PersistSpec("64Mi")));
    assertThat(again.getMetadata().getUid()).isNotEqualTo(firstUid);
    awaitVm(client, "disk", EraVMPhase.Running);
    createRun(client, "reread", "disk", s -> s.setShell("cat keep.txt last.txt"));

    assertThat(awaitFinished(client, "reread").getStatus().getStdout()).isEqualTo("kept\nlast\n");
  }

  @Test
  @Order(4)
  void deletingTheVmLeavesNothingOnTheNode() {
    assertThat(cluster.agentState().resolve("runs/default/reread")).exists();

    client.resource(getVm(client, "disk")).delete();

    await().atMost(VmsAndRuns.BOOT).until(() -> getVm(client, "disk") == null);
    assertThat(cluster.processesOf(vmId)).isEmpty();
    assertThat(vmDir()).doesNotExist();
    assertThat(disk()).doesNotExist();
    assertThat(cluster.agentState().resolve("runs/default")).doesNotExist();
  }

  @Test
  @Order(5)
  void aVmTheNodeCannotBootFailsWithTheLaunchersReasonAndAnEvent() {
    int tooMany = AgentCluster.MAX_GUEST_VCPUS + 1;
    // Placed (the node offers 8 vCPUs per core), but more than the launcher gives one guest.
    createVm(client, "too-big", "python", s -> s.setCpu(tooMany));

    EraVM failed = awaitVm(client, "too-big", EraVMPhase.Failed);

    assertThat(failed.getStatus().getReason()).isEqualTo(Reasons.BOOT_FAILED);
    assertThat(failed.getStatus().getMessage())
        .contains("vcpus " + tooMany + " is more than the")
        .contains("a guest may have on this host");
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, "too-big"))
                    .anyMatch(
                        e ->
                            "Warning".equals(e.getType())
                                && Reasons.BOOT_FAILED.equals(e.getReason())));
  }

  private static void setRunning(boolean running) {
    client
        .resources(EraVM.class)
        .inNamespace(VmsAndRuns.NAMESPACE)
        .withName("disk")
        .edit(
            vm -> {
              vm.getSpec().setRunning(running);
              return vm;
            });
  }

  private static EraNode node() {
    return client.resources(EraNode.class).withName(AgentCluster.NODE).get();
  }

  private static Path vmDir() {
    return cluster.launcherState().resolve("vms").resolve(vmId);
  }

  private static Path disk() {
    return cluster.launcherState().resolve("disks").resolve(vmId + ".img");
  }
}
