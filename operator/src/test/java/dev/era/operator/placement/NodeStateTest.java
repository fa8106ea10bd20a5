package dev.era.operator.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.NodeResources;
import dev.era.api.Times;
import dev.era.operator.EraOperatorConfig;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeStateTest {
  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
  private static final EraOperatorConfig CONFIG =
      new EraOperatorConfig(
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofSeconds(60),
          Duration.ofHours(1),
          Duration.ofSeconds(60),
          Duration.ofSeconds(30),
          EraOperatorConfig.PlacementMode.ledger,
          EraOperatorConfig.DEFAULT_RESERVATION_IMAGE,
          192,
          96,
          EraOperatorConfig.DEFAULT_KVM_DEVICE_RESOURCE);

  private static EraNode node(boolean ready, Instant readySince, Instant heartbeat) {
    EraNode node = new EraNode();
    node.getMetadata().setName("n");
    node.getMetadata().setCreationTimestamp(Times.format(NOW.minus(Duration.ofHours(1))));
    node.getStatus().setCapacity(new NodeResources(4, "8Gi"));
    node.getStatus().setHeartbeat(heartbeat == null ? null : Times.format(heartbeat));
    node.getStatus().setCondition(ConditionTypes.READY, ready, "r", "", readySince);
    return node;
  }

  @Test
  void aReadyNodeWithAFreshHeartbeatIsSchedulable() {
    NodeState state =
        NodeState.of(node(true, NOW.minusSeconds(600), NOW.minusSeconds(10)), NOW, CONFIG);
    assertThat(state.schedulable()).isTrue();
    assertThat(state.unhealthySince()).isEmpty();
    assertThat(state.isLost(NOW)).isFalse();
    assertThat(state.capacity()).isEqualTo(new Resources(4, 8L * 1024 * 1024 * 1024));
    // If no heartbeat comes, it is lost 30 s (stale) + 5 min (grace) after the last one.
    assertThat(state.lostAt()).isEqualTo(NOW.minusSeconds(10).plusSeconds(30 + 300));
  }

  @Test
  void notReadyIsLostAfterTheGracePeriod() {
    NodeState state = NodeState.of(node(false, NOW.minusSeconds(200), NOW), NOW, CONFIG);
    assertThat(state.schedulable()).isFalse();
    assertThat(state.isLost(NOW)).isFalse();
    assertThat(state.isLost(NOW.plusSeconds(100))).isTrue();
  }

  @Test
  void aSilentNodeCountsFromWhenItsHeartbeatWentStale() {
    NodeState state =
        NodeState.of(node(true, NOW.minusSeconds(900), NOW.minusSeconds(100)), NOW, CONFIG);
    assertThat(state.schedulable()).isFalse();
    assertThat(state.unhealthySince()).contains(NOW.minusSeconds(70));
    assertThat(state.isLost(NOW.plusSeconds(229))).isFalse();
    assertThat(state.isLost(NOW.plusSeconds(230))).isTrue();
  }

  @Test
  void aNodeIsLostWithoutAnEraNodeOrOnceItsGracePeriodEnds() {
    assertThat(NodeState.lost("gone", null, NOW)).contains("node gone has no EraNode");
    NodeState state = NodeState.of(node(false, NOW.minusSeconds(200), NOW), NOW, CONFIG);
    assertThat(NodeState.lost("n", state, NOW)).isEmpty();
    assertThat(NodeState.lost("n", state, NOW.plusSeconds(100)))
        .contains("node n stayed NotReady past the grace period");
  }

  @Test
  void aNodeThatNeverReportedIsNotSchedulable() {
    assertThat(NodeState.of(node(true, NOW, null), NOW, CONFIG).schedulable()).isFalse();
  }
}
