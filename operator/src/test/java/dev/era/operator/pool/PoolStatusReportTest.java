package dev.era.operator.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.ConditionTypes;
import dev.era.api.EraPool;
import dev.era.api.PoolNodeShare;
import dev.era.api.Reasons;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolStatusReportTest {
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  private static EraPool pool(int replicas) {
    EraPool pool = new EraPool();
    pool.getMetadata().setName("p");
    pool.getMetadata().setGeneration(3L);
    pool.getSpec().setReplicas(replicas);
    return pool;
  }

  private static Condition ready(EraPool pool) {
    return pool.getStatus().condition(ConditionTypes.READY).orElseThrow();
  }

  @Test
  void aPoolWithEveryGuestReadyIsReady() {
    EraPool pool = pool(3);
    List<PoolNodeShare> shares = List.of(new PoolNodeShare("a", 1), new PoolNodeShare("b", 2));

    PoolStatusReport.apply(pool, shares, 3, 4, Optional.of("anywhere"), T);

    assertThat(pool.getStatus().getNodes()).containsExactlyElementsOf(shares);
    assertThat(pool.getStatus().getReady()).isEqualTo(3);
    assertThat(pool.getStatus().getClaimed()).isEqualTo(4);
    assertThat(pool.getStatus().getObservedGeneration()).isEqualTo(3L);
    assertThat(ready(pool).getStatus()).isEqualTo("True");
    assertThat(ready(pool).getReason()).isEqualTo(Reasons.FILLED);
  }

  @Test
  void aPoolRefillingIsFilling() {
    EraPool pool = pool(3);
    PoolStatusReport.apply(
        pool, List.of(new PoolNodeShare("a", 3)), 1, 2, Optional.of("anywhere"), T);

    assertThat(pool.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.FILLING)).isTrue();
    assertThat(ready(pool).getMessage()).isEqualTo("1 of 3 guests ready");
  }

  @Test
  void aPoolWithoutRoomForEveryGuestSaysSo() {
    EraPool pool = pool(4);
    PoolStatusReport.apply(
        pool, List.of(new PoolNodeShare("a", 1)), 1, 0, Optional.of("on the 1 node there is"), T);

    assertThat(pool.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.NO_ROOM)).isTrue();
    assertThat(ready(pool).getMessage()).isEqualTo("room for 1 of 4 guests on the 1 node there is");
  }

  /** Warm pods not yet bound are on their way, unless kube-scheduler said it has no room. */
  @Test
  void aPoolWhosePodsAreBeingPlacedIsFilling() {
    EraPool pool = pool(4);
    PoolStatusReport.apply(pool, List.of(new PoolNodeShare("a", 1)), 1, 0, Optional.empty(), T);

    assertThat(pool.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.FILLING)).isTrue();
    assertThat(ready(pool).getMessage()).isEqualTo("1 of 4 guests ready");
  }

  @Test
  void anInvalidPoolKeepsNoGuests() {
    EraPool pool = pool(2);
    pool.getStatus().setNodes(List.of(new PoolNodeShare("a", 2)));

    PoolStatusReport.invalid(pool, "spec.replicas: bad", 2, 0, T);

    assertThat(pool.getStatus().getNodes()).isEmpty();
    assertThat(pool.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID)).isTrue();
  }
}
