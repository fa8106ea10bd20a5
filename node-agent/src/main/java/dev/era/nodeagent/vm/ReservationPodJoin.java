package dev.era.nodeagent.vm;

import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.ReservationPods;
import dev.era.launcher.Confinement;
import dev.era.launcher.LaunchException;
import dev.era.launcher.host.ProcFs;
import dev.era.launcher.host.ProcessCgroups;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an EraVM's QEMU runs in a cluster: in the cgroups and network namespace of its reservation
 * pod's container (docs/architecture.md, "Reservation pods"). The pod is the one the EraVM's
 * annotation names, owned by the EraVM and bound to this node; its container's process is found on
 * the node by the random token in its environment, which only who can read the pod knows.
 */
final class ReservationPodJoin {
  /**
   * The host's cgroup hierarchies: where the chart mounts them into the agent's container (whose
   * own /sys/fs/cgroup shows only its own cgroup), else where an agent on the host sees them.
   */
  static final Path HOST_CGROUPS =
      Files.isDirectory(Path.of("/host/sys/fs/cgroup"))
          ? Path.of("/host/sys/fs/cgroup")
          : Path.of("/sys/fs/cgroup");

  private final KubernetesClient client;
  private final String nodeName;

  ReservationPodJoin(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  /** The pod does not run here yet; the VM waits for it. */
  static final class NotYet extends RuntimeException {
    NotYet(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @return {@link Confinement#NONE} for a VM without a reservation pod (the embedded control
   *     plane)
   * @throws NotYet while the pod is not bound here or its container does not run
   * @throws LaunchException when the pod is not the VM's to join
   */
  Confinement confinementOf(EraVM vm) {
    Map<String, String> annotations = vm.getMetadata().getAnnotations();
    String name = annotations == null ? null : annotations.get(ReservationPods.ANNOTATION);
    if (name == null) {
      return Confinement.NONE;
    }
    Pod pod = client.pods().inNamespace(vm.getMetadata().getNamespace()).withName(name).get();
    if (pod == null) {
      throw new NotYet("its reservation pod " + name + " does not exist yet");
    }
    return confinementOf(pod, vm.getMetadata().getUid(), "EraVM's reservation pod");
  }

  /**
   * Where a pool's warm guest runs: in its warm pod, owned by the pool and bound to this node.
   *
   * @throws NotYet while the pod is not bound here or its container does not run
   */
  Confinement confinementOfWarmPod(Pod pod, EraPool pool) {
    return confinementOf(pod, pool.getMetadata().getUid(), "EraPool's warm pod");
  }

  /**
   * @param ownerUid the UID of the pod's controller
   * @param role what the pod must be, for the refusal
   */
  private Confinement confinementOf(Pod pod, String ownerUid, String role) {
    String name = pod.getMetadata().getName();
    if (pod.getMetadata().getOwnerReferences().stream()
        .noneMatch(o -> ownerUid.equals(o.getUid()) && Boolean.TRUE.equals(o.getController()))) {
      throw new LaunchException("pod " + name + " is not this " + role);
    }
    if (!nodeName.equals(pod.getSpec().getNodeName())) {
      throw new NotYet("its pod " + name + " is not bound to node " + nodeName);
    }
    String token = token(pod);
    List<Long> pids = ProcFs.findByEnvironment(ReservationPods.TOKEN_ENV + "=" + token);
    if (pids.isEmpty()) {
      throw new NotYet("the container of its pod " + name + " is not running yet");
    }
    if (pids.size() > 1) {
      throw new LaunchException(
          "processes " + pids + " all carry the token of pod " + name + ": refusing to guess");
    }
    long pid = pids.get(0);
    return new Confinement(
        ProcessCgroups.procsFiles(pid, HOST_CGROUPS),
        Optional.of(Path.of("/proc", Long.toString(pid), "ns", "net")));
  }

  private static String token(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> ReservationPods.CONTAINER.equals(c.getName()))
        .map(Container::getEnv)
        .flatMap(List::stream)
        .filter(e -> ReservationPods.TOKEN_ENV.equals(e.getName()) && e.getValue() != null)
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(
            () ->
                new LaunchException(
                    "pod "
                        + pod.getMetadata().getName()
                        + " has no "
                        + ReservationPods.TOKEN_ENV
                        + " in its container "
                        + ReservationPods.CONTAINER));
  }
}
