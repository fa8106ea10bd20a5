package dev.era.nodeagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.EraPool;
import dev.era.api.ReservationPods;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pool's warm guests go into its warm pods bound to the agent's node whose containers run, one
 * guest per pod; a guest's pod that is gone ends it, one a VM took over keeps it. The agent reads
 * the pods with its own RBAC.
 */
class WarmPodSlotsTest {
  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();

  private static final String NODE = "node-a";

  private final KubernetesClient admin = API.client();
  private final WarmPodSlots slots = new WarmPodSlots(API.clientOf(Component.NODE_AGENT), NODE);
  private final Map<String, Process> processes = new HashMap<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process process : processes.values()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    admin.pods().inAnyNamespace().delete();
  }

  @Test
  void onlyAPoolWithTheOperatorsAnnotationKeepsItsGuestsInPods() {
    EraPool pool = pool("marked");
    assertThat(WarmPodSlots.inPods(pool)).isTrue();
    pool.getMetadata().setAnnotations(Map.of());
    assertThat(WarmPodSlots.inPods(pool)).isFalse();
  }

  @Test
  void aGuestGoesIntoABoundRunningPodThatHoldsNoGuestYet() throws Exception {
    EraPool pool = pool("py");
    warmPod(pool, "aaaaaa", NODE, "t-" + UUID.randomUUID()); // its container is not running
    warmPod(pool, "bbbbbb", "node-b", idleWithToken());
    String token = idleWithToken();
    warmPod(pool, "cccccc", NODE, token);
    String taken = idleWithToken();
    warmPod(pool, "dddddd", NODE, taken);

    WarmPodSlots.Slot slot = slots.free(pool, Set.of("dddddd")).orElseThrow();

    assertThat(slot.suffix()).isEqualTo("cccccc");
    long pid = processes.get(token).pid();
    assertThat(slot.confinement().netns())
        .contains(Path.of("/proc", Long.toString(pid), "ns", "net"));
    assertThat(slots.free(pool, Set.of("cccccc", "dddddd"))).isEmpty();
  }

  @Test
  void aGuestWhosePodIsGoneIsNoLongerWantedButOneWhosePodAVmTookOverIs() {
    EraPool pool = pool("go");
    warmPod(pool, "aaaaaa", NODE, "t-1");
    Pod taken = warmPod(pool, "bbbbbb", NODE, "t-2");
    admin
        .pods()
        .resource(taken)
        .edit(
            p -> {
              p.getMetadata().getLabels().remove(ReservationPods.POOL_UID_LABEL);
              p.getMetadata().getOwnerReferences().get(0).setKind("EraVM");
              return p;
            });

    assertThat(slots.gone(pool, Set.of("aaaaaa", "bbbbbb", "cccccc"))).containsExactly("cccccc");
  }

  private static EraPool pool(String name) {
    EraPool pool = new EraPool();
    pool.getMetadata().setName(name);
    pool.getMetadata().setNamespace("default");
    pool.getMetadata().setUid(UUID.randomUUID().toString());
    pool.getMetadata().setAnnotations(Map.of(ReservationPods.WARM_PODS_ANNOTATION, "true"));
    return pool;
  }

  private Pod warmPod(EraPool pool, String suffix, String node, String token) {
    String name =
        ReservationPods.warmName(pool.getMetadata().getName(), pool.getMetadata().getUid(), suffix);
    return admin
        .resource(
            TokenPods.pod(
                    name,
                    "EraPool",
                    pool.getMetadata().getName(),
                    pool.getMetadata().getUid(),
                    node,
                    token)
                .editMetadata()
                .addToLabels(ReservationPods.POOL_UID_LABEL, pool.getMetadata().getUid())
                .endMetadata()
                .build())
        .create();
  }

  /** Stands in for a pod's container process; returns its token. */
  private String idleWithToken() throws Exception {
    String token = "t-" + UUID.randomUUID();
    ProcessBuilder builder = new ProcessBuilder("sleep", "60");
    builder.environment().put(ReservationPods.TOKEN_ENV, token);
    processes.put(token, builder.start());
    return token;
  }
}
