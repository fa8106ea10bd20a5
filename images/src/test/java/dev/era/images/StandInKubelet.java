package dev.era.images;

import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.ReservationPods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays kube-scheduler, kubelet and the garbage collector for reservation pods on the one podman
 * node, which the embedded API server has none of. It binds a pod to the node when the pod's
 * required node affinity accepts the accelerator the node's agent reports, runs a bound pod as a
 * podman container in a network namespace of its own (podman's bridge) with the pod's CPU and
 * memory limits, its container's env and securityContext, removes the container when the pod goes,
 * and deletes a pod whose owning EraVM or EraPool is gone.
 *
 * <p>No registry is reachable, so the pause image is stood in for by an idle {@code sleep} from the
 * node-agent image.
 */
final class StandInKubelet implements AutoCloseable {
  private static final String PREFIX = "era-it-pod-";

  private final KubernetesClient admin;
  private final Podman podman;
  private final String node;
  private final String idleImage;
  private final Map<String, Pod> running = new ConcurrentHashMap<>();
  private final Map<String, Long> startMillis = new ConcurrentHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

  StandInKubelet(KubernetesClient admin, Podman podman, String node, String idleImage) {
    this.admin = admin;
    this.podman = podman;
    this.node = node;
    this.idleImage = idleImage;
  }

  void start() {
    loop.scheduleWithFixedDelay(this::syncQuietly, 0, 100, TimeUnit.MILLISECONDS);
  }

  /** The podman container that runs the pod. */
  static String container(Pod pod) {
    return PREFIX + pod.getMetadata().getUid();
  }

  /** The host pid of the pod's container's process. */
  long pid(Pod pod) {
    return Long.parseLong(
        podman.run("inspect", "--format", "{{.State.Pid}}", container(pod)).strip());
  }

  /** How long {@code podman run} took to start the pod's container, in ms. */
  long startMillis(Pod pod) {
    return startMillis.getOrDefault(container(pod), -1L);
  }

  /** What went wrong so far (a test asserts there was nothing). */
  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (RuntimeException e) {
      synchronized (this) {
        problems.add(e.toString());
      }
    }
  }

  private void sync() {
    List<Pod> pods =
        admin
            .pods()
            .inAnyNamespace()
            .withLabel("app.kubernetes.io/managed-by", "era")
            .list()
            .getItems();
    Set<String> live = new HashSet<>();
    for (Pod pod : pods) {
      if (ownerGone(pod)) {
        admin.pods().resource(pod).withGracePeriod(0).delete();
      } else if (pod.getMetadata().getDeletionTimestamp() == null) {
        live.add(container(pod));
        if (pod.getSpec().getNodeName() == null) {
          bindIfItFits(pod);
        } else if (node.equals(pod.getSpec().getNodeName())
            && running.putIfAbsent(container(pod), pod) == null) {
          long start = System.nanoTime();
          podman.run(runArguments(pod));
          startMillis.put(container(pod), (System.nanoTime() - start) / 1_000_000);
        }
      }
    }
    for (String name : List.copyOf(running.keySet())) {
      if (!live.contains(name)) {
        podman.run("rm", "--force", "--time", "0", name);
        running.remove(name);
      }
    }
  }

  /** Whether the EraVM or EraPool that owns the pod is gone. */
  private boolean ownerGone(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    return !pod.getMetadata().getOwnerReferences().isEmpty()
        && pod.getMetadata().getOwnerReferences().stream()
            .allMatch(
                o ->
                    switch (o.getKind()) {
                      case "EraVM" ->
                          admin
                                  .resources(EraVM.class)
                                  .inNamespace(namespace)
                                  .withName(o.getName())
                                  .get()
                              == null;
                      case "EraPool" ->
                          admin
                                  .resources(EraPool.class)
                                  .inNamespace(namespace)
                                  .withName(o.getName())
                                  .get()
                              == null;
                      default -> false;
                    });
  }

  /** Binds the pod when every required node-affinity value set accepts the node's accelerator. */
  private void bindIfItFits(Pod pod) {
    EraNode eraNode = admin.resources(EraNode.class).withName(node).get();
    if (eraNode == null || eraNode.getStatus().getAccelerator() == null) {
      return;
    }
    String accelerator = eraNode.getStatus().getAccelerator().name();
    boolean fits =
        pod
            .getSpec()
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms()
            .stream()
            .anyMatch(
                term ->
                    term.getMatchExpressions().stream()
                        .filter(e -> ReservationPods.ACCELERATOR_LABEL.equals(e.getKey()))
                        .map(NodeSelectorRequirement::getValues)
                        .allMatch(values -> values.contains(accelerator)));
    if (fits) {
      admin
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .patch(
              PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"nodeName\":\"" + node + "\"}}");
    }
  }

  private List<String> runArguments(Pod pod) {
    Container container = pod.getSpec().getContainers().get(0);
    Map<String, Quantity> limits = container.getResources().getLimits();
    long memory = Quantity.getAmountInBytes(limits.get("memory")).longValueExact();
    List<String> args = new ArrayList<>(List.of("run", "--detach", "--name", container(pod)));
    args.add("--memory=" + memory);
    args.add("--memory-swap=" + memory);
    args.add("--cpus=" + limits.get("cpu").getAmount());
    container.getEnv().forEach(e -> args.add("--env=" + e.getName() + "=" + e.getValue()));
    var security = container.getSecurityContext();
    args.add("--user=" + security.getRunAsUser() + ":" + security.getRunAsGroup());
    if (Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
      args.add("--read-only");
    }
    if (Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
      args.add("--security-opt=no-new-privileges");
    }
    security.getCapabilities().getDrop().forEach(c -> args.add("--cap-drop=" + c));
    args.addAll(List.of("--entrypoint", "sleep", idleImage, "infinity"));
    return args;
  }

  /** Stops syncing and removes every container it ran. */
  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (String name : running.keySet()) {
      try {
        podman.run("rm", "--force", "--time", "0", name);
      } catch (RuntimeException e) {
        System.out.println("--- cannot remove " + name + ": " + e.getMessage());
      }
    }
  }
}
