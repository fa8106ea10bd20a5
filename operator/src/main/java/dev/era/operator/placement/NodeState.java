package dev.era.operator.placement;

import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraNodeStatus;
import dev.era.api.Times;
import dev.era.operator.EraOperatorConfig;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.Optional;

/**
 * How an EraNode looks to the operator at one instant.
 *
 * @param schedulable Ready, heartbeat fresh and not being deleted: it may take new VMs
 * @param unhealthySince when it stopped being healthy (NotReady or silent); empty while healthy
 * @param capacity what it offers to microVMs
 * @param lostAt when it counts as lost; for a healthy node, the earliest that can happen (its
 *     heartbeat goes stale and the grace period ends without a new one)
 */
public record NodeState(
    String name,
    boolean schedulable,
    Optional<Instant> unhealthySince,
    Resources capacity,
    Instant lostAt) {

  public static NodeState of(EraNode node, Instant now, EraOperatorConfig config) {
    EraNodeStatus status = node.getStatus();
    Optional<Instant> heartbeat = Times.parse(status.getHeartbeat());
    Instant created = Times.parse(node.getMetadata().getCreationTimestamp()).orElse(now);
    Instant staleAt = heartbeat.orElse(created).plus(config.heartbeatTimeout());
    boolean ready = status.isTrue(ConditionTypes.READY);
    boolean fresh = heartbeat.isPresent() && now.isBefore(staleAt);

    Optional<Instant> unhealthySince = Optional.empty();
    if (!ready) {
      unhealthySince =
          Optional.of(
              status
                  .condition(ConditionTypes.READY)
                  .map(Condition::getLastTransitionTime)
                  .flatMap(Times::parse)
                  .orElse(heartbeat.orElse(created)));
    }
    if (!fresh) {
      Instant silentSince = heartbeat.isPresent() ? staleAt : created;
      unhealthySince =
          Optional.of(unhealthySince.map(u -> min(u, silentSince)).orElse(silentSince));
    }
    // While healthy, the earliest it could be lost is when the heartbeat goes stale plus grace.
    Instant lostAt = unhealthySince.orElse(staleAt).plus(config.nodeLostGrace());
    boolean deleting = node.getMetadata().getDeletionTimestamp() != null;
    return new NodeState(
        node.getMetadata().getName(),
        ready && fresh && !deleting,
        unhealthySince,
        Resources.of(status.getCapacity()),
        lostAt);
  }

  /** NotReady or silent for longer than the grace period. */
  public boolean isLost(Instant now) {
    return unhealthySince.isPresent() && !now.isBefore(lostAt);
  }

  /**
   * The one rule for a lost node, shared by the VM and run controllers: it has no EraNode ({@code
   * state} null) or {@link #isLost}. No node agent will act for it any more.
   *
   * @return why the node counts as lost, naming it; empty while it does not
   */
  public static Optional<String> lost(String node, NodeState state, Instant now) {
    if (state == null) {
      return Optional.of("node " + node + " has no EraNode");
    }
    return state.isLost(now)
        ? Optional.of("node " + node + " stayed NotReady past the grace period")
        : Optional.empty();
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
