package dev.era.nodeagent.vm;

import dev.era.api.EraPool;
import dev.era.api.ReservationPods;
import dev.era.launcher.Confinement;
import dev.era.launcher.LaunchException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Where a pool's warm guests wait when the operator gives each a warm pod of its own ({@link
 * ReservationPods#WARM_PODS_ANNOTATION}; docs/architecture.md, "Warm pods"): one guest in each of
 * the pool's pods bound to this node, in the pod's cgroups and network namespace, named after the
 * pod (the suffix of both names is the same), so that a VM that takes the pod over finds its guest.
 */
final class WarmPodSlots {
  private static final Logger LOG = Logger.getLogger(WarmPodSlots.class);

  /** A warm pod ready for a guest: the suffix the guest's id ends with, and where it runs. */
  record Slot(String suffix, Confinement confinement) {}

  private final KubernetesClient client;
  private final String nodeName;
  private final ReservationPodJoin join;

  WarmPodSlots(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
    this.join = new ReservationPodJoin(client, nodeName);
  }

  /** Whether the pool's guests wait in warm pods (else in the node agent's own cgroups). */
  static boolean inPods(EraPool pool) {
    Map<String, String> annotations = pool.getMetadata().getAnnotations();
    return annotations != null
        && "true".equals(annotations.get(ReservationPods.WARM_PODS_ANNOTATION));
  }

  /**
   * A pod of the pool bound here whose container runs and that holds no guest yet.
   *
   * @param taken the suffixes of the guests the pool has here, ready or booting
   */
  Optional<Slot> free(EraPool pool, Set<String> taken) {
    for (Pod pod : podsHere(pool)) {
      Optional<String> suffix = ReservationPods.warmSuffix(pod.getMetadata().getName());
      if (suffix.isEmpty() || taken.contains(suffix.get())) {
        continue;
      }
      try {
        return Optional.of(new Slot(suffix.get(), join.confinementOfWarmPod(pod, pool)));
      } catch (ReservationPodJoin.NotYet e) {
        LOG.debugf("warm pod %s: %s", pod.getMetadata().getName(), e.getMessage());
      } catch (LaunchException e) {
        LOG.warnf(
            "warm pod %s cannot hold a guest: %s", pod.getMetadata().getName(), e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * The suffixes, of those given, whose pod is gone or going: its guest is no longer wanted. A pod
   * a VM took over stays: the VM is about to claim its guest.
   */
  Set<String> gone(EraPool pool, Set<String> suffixes) {
    if (suffixes.isEmpty()) {
      return Set.of(); // no guests here: nothing to ask the API server
    }
    Set<String> gone = new HashSet<>(suffixes);
    podsHere(pool)
        .forEach(
            p -> ReservationPods.warmSuffix(p.getMetadata().getName()).ifPresent(gone::remove));
    for (String suffix : Set.copyOf(gone)) {
      Pod pod =
          client
              .pods()
              .inNamespace(pool.getMetadata().getNamespace())
              .withName(
                  ReservationPods.warmName(
                      pool.getMetadata().getName(), pool.getMetadata().getUid(), suffix))
              .get();
      if (pod != null
          && pod.getMetadata().getDeletionTimestamp() == null
          && nodeName.equals(pod.getSpec().getNodeName())) {
        gone.remove(suffix);
      }
    }
    return gone;
  }

  /** The pool's warm pods bound to this node and not being deleted. */
  private List<Pod> podsHere(EraPool pool) {
    return client
        .pods()
        .inNamespace(pool.getMetadata().getNamespace())
        .withLabel(ReservationPods.POOL_UID_LABEL, pool.getMetadata().getUid())
        .list()
        .getItems()
        .stream()
        .filter(p -> nodeName.equals(p.getSpec().getNodeName()))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }
}
