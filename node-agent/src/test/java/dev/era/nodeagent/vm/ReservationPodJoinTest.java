package dev.era.nodeagent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.era.api.EraVM;
import dev.era.api.ReservationPods;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import dev.era.launcher.Confinement;
import dev.era.launcher.LaunchException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node agent joins only the reservation pod its EraVM owns, bound to its node, whose container
 * runs here; it reads the pod with its own RBAC.
 */
class ReservationPodJoinTest {
  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();

  private static final String NODE = "node-a";

  private final KubernetesClient admin = API.client();
  private final ReservationPodJoin join =
      new ReservationPodJoin(API.clientOf(Component.NODE_AGENT), NODE);
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aVmWithoutAReservationPodRunsUnconfined() {
    assertThat(join.confinementOf(vm("local", null))).isEqualTo(Confinement.NONE);
  }

  @Test
  void theVmWaitsForItsPodToExistToBeBoundHereAndToRun() {
    EraVM vm = vm("waits", "era-vm-waits");
    assertThatThrownBy(() -> join.confinementOf(vm))
        .isInstanceOf(ReservationPodJoin.NotYet.class)
        .hasMessageContaining("does not exist yet");

    createPod(vm, vm.getMetadata().getUid(), null, "t-" + UUID.randomUUID());
    assertThatThrownBy(() -> join.confinementOf(vm))
        .isInstanceOf(ReservationPodJoin.NotYet.class)
        .hasMessageContaining("not bound to node " + NODE);

    admin.pods().inNamespace("default").withName("era-vm-waits").delete();
    await().until(() -> admin.pods().inNamespace("default").withName("era-vm-waits").get() == null);
    createPod(vm, vm.getMetadata().getUid(), NODE, "t-" + UUID.randomUUID());
    assertThatThrownBy(() -> join.confinementOf(vm))
        .isInstanceOf(ReservationPodJoin.NotYet.class)
        .hasMessageContaining("not running yet");
  }

  @Test
  void aPodTheVmDoesNotOwnIsRefused() {
    EraVM vm = vm("victim", "era-vm-other");
    createPod(vm, UUID.randomUUID().toString(), NODE, "t-" + UUID.randomUUID());

    assertThatThrownBy(() -> join.confinementOf(vm))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("is not this EraVM's reservation pod");
  }

  @Test
  void theVmJoinsTheCgroupsAndNetworkNamespaceOfThePodsProcess() throws Exception {
    EraVM vm = vm("joins", "era-vm-joins");
    String token = "t-" + UUID.randomUUID();
    createPod(vm, vm.getMetadata().getUid(), NODE, token);
    Process container = idleWithToken(token);

    Confinement confinement = join.confinementOf(vm);

    assertThat(confinement.netns())
        .contains(Path.of("/proc", Long.toString(container.pid()), "ns", "net"));
    assertThat(confinement.cgroupProcs()).isNotEmpty().allMatch(Files::exists);
  }

  @Test
  void twoProcessesCarryingTheTokenAreRefused() throws Exception {
    EraVM vm = vm("twice", "era-vm-twice");
    String token = "t-" + UUID.randomUUID();
    createPod(vm, vm.getMetadata().getUid(), NODE, token);
    idleWithToken(token);
    idleWithToken(token);

    assertThatThrownBy(() -> join.confinementOf(vm))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("refusing to guess");
  }

  private static EraVM vm(String name, String podAnnotation) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace("default");
    vm.getMetadata().setUid(UUID.randomUUID().toString());
    if (podAnnotation != null) {
      vm.getMetadata().setAnnotations(Map.of(ReservationPods.ANNOTATION, podAnnotation));
    }
    return vm;
  }

  private void createPod(EraVM vm, String ownerUid, String node, String token) {
    admin
        .resource(
            TokenPods.pod(
                    vm.getMetadata().getAnnotations().get(ReservationPods.ANNOTATION),
                    "EraVM",
                    vm.getMetadata().getName(),
                    ownerUid,
                    node,
                    token)
                .build())
        .create();
  }

  /** Stands in for the pod's container process. */
  private Process idleWithToken(String token) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sleep", "60");
    builder.environment().put(ReservationPods.TOKEN_ENV, token);
    Process process = builder.start();
    processes.add(process);
    return process;
  }
}
