package dev.era.operator.pool;

import dev.era.api.ConditionTypes;
import dev.era.api.EraPool;
import dev.era.api.EraPoolStatus;
import dev.era.api.PoolNodeShare;
import dev.era.api.Reasons;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Writes what the operator found about a pool into its status (to be written if it changed). */
final class PoolStatusReport {
  private PoolStatusReport() {}

  /**
   * @param shares how many guests each node keeps from now on
   * @param ready the guests the node agents report ready
   * @param claimed the EraVMs bound to one of the pool's guests
   * @param noRoom where the guests the shares lack found no room, if they did not (else they are on
   *     their way)
   */
  static void apply(
      EraPool pool,
      List<PoolNodeShare> shares,
      int ready,
      int claimed,
      Optional<String> noRoom,
      Instant now) {
    EraPoolStatus status = pool.getStatus();
    status.setObservedGeneration(pool.getMetadata().getGeneration());
    status.setNodes(shares);
    status.setReady(ready);
    status.setClaimed(claimed);
    int replicas = pool.getSpec().getReplicas();
    int placed = shares.stream().mapToInt(PoolNodeShare::getReplicas).sum();
    if (placed < replicas && noRoom.isPresent()) {
      status.setCondition(
          ConditionTypes.READY,
          false,
          Reasons.NO_ROOM,
          "room for " + placed + " of " + replicas + " guests " + noRoom.get(),
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
