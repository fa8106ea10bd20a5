package dev.era.operator.pool;

import dev.era.api.ConditionTypes;
import dev.era.api.EraPool;
import dev.era.api.EraPoolStatus;
import dev.era.api.PoolNodeShare;
import dev.era.api.Reasons;
import java.time.Instant;
import java.util.List;

/** Writes what the operator found about a pool into its status (to be written if it changed). */
final class PoolStatusReport {
  private PoolStatusReport() {}

  /**
   * @param shares how many guests each node keeps from now on
   * @param ready the guests the node agents report ready
   * @param claimed the EraVMs bound to one of the pool's guests
   * @param nodes how many nodes may keep its guests
   */
  static void apply(
      EraPool pool, List<PoolNodeShare> shares, int ready, int claimed, int nodes, Instant now) {
    EraPoolStatus status = pool.getStatus();
    status.setObservedGeneration(pool.getMetadata().getGeneration());
    status.setNodes(shares);
    status.setReady(ready);
    status.setClaimed(claimed);
    int replicas = pool.getSpec().getReplicas();
    int placed = shares.stream().mapToInt(PoolNodeShare::getReplicas).sum();
    if (placed < replicas) {
      status.setCondition(
          ConditionTypes.READY,
          false,
          Reasons.NO_ROOM,
          "room for "
              + placed
              + " of "
              + replicas
              + " guests on the "
              + nodes
              + " schedulable nodes the pool's node selector matches",
          now);
    } else if (ready >= replicas) {
      status.setCondition(ConditionTypes.READY, true, Reasons.FILLED, ready + " guests ready", now);
    } else {
      status.setCondition(
          ConditionTypes.READY,
          false,
          Reasons.FILLING,
          ready + " of " + replicas + " guests ready",
          now);
    }
  }

  /** A pool whose spec breaks a rule keeps no guests. */
  static void invalid(EraPool pool, String message, int ready, int claimed, Instant now) {
    EraPoolStatus status = pool.getStatus();
    status.setObservedGeneration(pool.getMetadata().getGeneration());
    status.setNodes(List.of());
    status.setReady(ready);
    status.setClaimed(claimed);
    status.setCondition(ConditionTypes.READY, false, Reasons.INVALID, message, now);
  }
}
