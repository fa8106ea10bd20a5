package dev.era.operator.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final long GI = 1024L * 1024 * 1024;
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  private static NodeState node(String name, boolean schedulable, int cpu, long memGi) {
    return new NodeState(
        name,
        schedulable,
        schedulable ? Optional.empty() : Optional.of(T),
        new Resources(cpu, memGi * GI),
        T);
  }

  private static Resources req(int cpu, double memGi) {
    return new Resources(cpu, (long) (memGi * GI));
  }

  @Test
  void bestFitByMemoryThenCpuThenName() {
    var nodes = List.of(node("c", true, 8, 8), node("a", true, 8, 4), node("b", true, 4, 4));
    assertThat(Placement.choose(req(1, 1), null, nodes, Map.of()).node()).contains("b");
    // With b's memory mostly used, a is the tightest that still fits.
    assertThat(Placement.choose(req(1, 1), null, nodes, Map.of("b", req(0, 3.5))).node())
        .contains("a");
  }

  @Test
  void usedCapacityCounts() {
    var nodes = List.of(node("a", true, 2, 2));
    assertThat(Placement.choose(req(1, 1), null, nodes, Map.of("a", req(1, 1))).node())
        .contains("a");
    Placement.Decision full = Placement.choose(req(1, 1), null, nodes, Map.of("a", req(2, 1)));
    assertThat(full.node()).isEmpty();
    assertThat(full.reason())
        .isEqualTo("no node fits 1 CPU, 1Gi memory (a: 0 CPU, 1Gi memory free)");
  }

  @Test
  void unschedulableNodesAreSkipped() {
    var nodes = List.of(node("down", false, 64, 64), node("up", true, 1, 1));
    assertThat(Placement.choose(req(1, 1), null, nodes, Map.of()).node()).contains("up");
    assertThat(Placement.choose(req(2, 1), null, nodes, Map.of()).reason())
        .contains("down: not Ready or heartbeat stale", "up: 1 CPU, 1Gi memory free");
  }

  @Test
  void aPinConsidersOnlyItsNode() {
    var nodes = List.of(node("a", true, 8, 8), node("b", true, 1, 1));
    assertThat(Placement.choose(req(1, 1), "b", nodes, Map.of()).node()).contains("b");
    assertThat(Placement.choose(req(2, 1), "b", nodes, Map.of()).reason())
        .startsWith("pinned node b does not fit 2 CPU");
    assertThat(Placement.choose(req(1, 1), "z", nodes, Map.of()).reason())
        .isEqualTo("pinned node z has no EraNode");
    assertThat(Placement.choose(req(1, 1), null, List.of(), Map.of()).reason())
        .startsWith("no EraNode exists");
  }

  @Test
  void longRefusalListsAreCut() {
    var nodes =
        java.util.stream.IntStream.range(0, 8).mapToObj(i -> node("n" + i, true, 1, 1)).toList();
    assertThat(Placement.choose(req(2, 1), null, nodes, Map.of()).reason())
        .endsWith("; and 3 more)");
  }
}
