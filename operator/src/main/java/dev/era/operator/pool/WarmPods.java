package dev.era.operator.pool;

import dev.era.api.PoolNodeShare;
import dev.era.api.ReservationPods;
import dev.era.operator.placement.PodStates;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a pool's warm pods should become, where kube-scheduler places VMs (placement {@code pods};
 * docs/architecture.md, "Warm pods"): one pod per guest the pool keeps, each shaped like the pod of
 * a VM of its template. Pods of an older template, and pods that ended, are replaced; surplus ones
 * go, those not yet placed first. The nodes the placed pods are bound to are the pool's shares:
 * each node agent keeps a guest in each pod bound to its node.
 */
final class WarmPods {
  private WarmPods() {}

  /**
   * @param create how many pods to create
   * @param delete the pods to delete
   * @param shares the guests each node keeps: the pool's pods bound there
   * @param unschedulable why kube-scheduler could not place one of the pool's pods, if it said so
   */
  record Plan(
      int create, List<Pod> delete, List<PoolNodeShare> shares, Optional<String> unschedulable) {}

  /**
   * @param pods the pool's warm pods (owned by it, not yet taken over by a VM)
   */
  static Plan plan(int replicas, String templateHash, List<Pod> pods) {
    List<Pod> delete = new ArrayList<>();
    List<Pod> live = new ArrayList<>();
    for (Pod pod : pods) {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        continue; // going already
      }
      boolean current =
          templateHash.equals(pod.getMetadata().getLabels().get(ReservationPods.TEMPLATE_LABEL));
      if (current && PodStates.ended(pod).isEmpty()) {
        live.add(pod);
      } else {
        delete.add(pod);
      }
    }
    // Surplus pods go unplaced ones first: a placed one may hold a ready guest.
    live.sort(
        Comparator.comparing((Pod p) -> nodeOf(p).isPresent())
            .thenComparing(p -> p.getMetadata().getName()));
    while (live.size() > replicas) {
      delete.add(live.remove(0));
    }
    Map<String, Integer> byNode = new TreeMap<>();
    live.forEach(p -> nodeOf(p).ifPresent(node -> byNode.merge(node, 1, Integer::sum)));
    List<PoolNodeShare> shares = new ArrayList<>();
    byNode.forEach((node, count) -> shares.add(new PoolNodeShare(node, count)));
    Optional<String> unschedulable =
        live.stream()
            .filter(p -> nodeOf(p).isEmpty())
            .map(PodStates::unschedulable)
            .flatMap(Optional::stream)
            .map(PodCondition::getMessage)
            .filter(Objects::nonNull)
            .findFirst();
    return new Plan(replicas - live.size(), delete, shares, unschedulable);
  }

  private static Optional<String> nodeOf(Pod pod) {
    return Optional.ofNullable(pod.getSpec().getNodeName());
  }
}
