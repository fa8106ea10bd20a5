package dev.era.operator.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CapacityLedgerTest {
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
  private static final long MI = 1024L * 1024;

  private static EraVM vm(String name) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace("ns");
    return vm;
  }

  private static NodeState node(String name, int cpu) {
    return new NodeState(name, true, Optional.empty(), new Resources(cpu, 64 * 1024 * MI), T);
  }

  @Test
  void placementsNotYetInTheCacheStillCount() {
    CapacityLedger ledger = new CapacityLedger();
    List<EraVM> cache = List.of(vm("a"), vm("b"), vm("c"));
    List<NodeState> nodes = List.of(node("n", 2));
    // The cache never shows the placements: only the ledger knows them.
    assertThat(ledger.place(cache.get(0), cache::stream, nodes).node()).contains("n");
    assertThat(ledger.place(cache.get(1), cache::stream, nodes).node()).contains("n");
    assertThat(ledger.place(cache.get(2), cache::stream, nodes).node()).isEmpty();
    assertThat(ledger.nodeOf(cache.get(0))).contains("n");
  }

  @Test
  void poolGuestsHoldRoomAndAPoolVmGoesWhereAGuestIsReady() {
    // Node a keeps two 1-CPU guests of a pool: one CPU left there.
    CapacityLedger ledger = new CapacityLedger(() -> Map.of("a", new Resources(2, 512 * MI)));
    List<EraVM> cache = List.of(vm("plain"), vm("claim"));
    List<NodeState> nodes = List.of(node("a", 3), node("b", 2));

    // Best fit would pick a (least room left), but a holds a ready guest only for pool VMs.
    assertThat(ledger.place(cache.get(1), cache::stream, nodes, Set.of("b")).node()).contains("b");
    assertThat(ledger.place(cache.get(0), cache::stream, nodes).node()).contains("a");
    // a is full now (guests + plain), but a pool VM there takes a ready guest's room.
    assertThat(ledger.place(vm("claim2"), cache::stream, List.of(node("a", 3)), Set.of("a")).node())
        .contains("a");
    assertThat(ledger.place(vm("plain2"), cache::stream, List.of(node("a", 3))).node()).isEmpty();
  }

  @Test
  void concurrentPlacementsNeverOvercommit() throws Exception {
    CapacityLedger ledger = new CapacityLedger();
    List<EraVM> cache = IntStream.range(0, 200).mapToObj(i -> vm("vm-" + i)).toList();
    List<NodeState> nodes = List.of(node("a", 30), node("b", 20));
    var placed = ConcurrentHashMap.<String>newKeySet();
    var pool = Executors.newFixedThreadPool(8);
    for (EraVM vm : cache) {
      pool.submit(
          () ->
              ledger
                  .place(vm, cache::stream, nodes)
                  .node()
                  .ifPresent(n -> placed.add(vm.getMetadata().getName() + "@" + n)));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(placed).hasSize(50);
    assertThat(placed.stream().filter(p -> p.endsWith("@a"))).hasSize(30);
  }

  @Test
  void theCacheCatchingUpOrAVmLeavingIsNotCountedTwice() {
    CapacityLedger ledger = new CapacityLedger();
    EraVM a = vm("a");
    List<NodeState> nodes = List.of(node("n", 2));
    ledger.place(a, () -> Stream.of(a), nodes);
    EraVM aAsCached = vm("a");
    aAsCached.getStatus().setNodeName("n");
    aAsCached.getMetadata().getLabels().put(Labels.NODE, "n");
    EraVM b = vm("b");
    assertThat(ledger.place(b, () -> Stream.of(aAsCached, b), nodes).node()).contains("n");
    EraVM c = vm("c");
    assertThat(ledger.place(c, () -> Stream.of(aAsCached, b, c), nodes).node()).isEmpty();

    ledger.unplace(aAsCached);
    assertThat(ledger.nodeOf(aAsCached)).isEmpty();
    assertThat(ledger.place(c, () -> Stream.of(aAsCached, b, c), nodes).node()).contains("n");
  }

  @Test
  void stoppedExpiredAndFailedVmsHoldNothing() {
    EraVM stopped = vm("s");
    stopped.getSpec().setRunning(false);
    EraVM expired = vm("e");
    expired.getStatus().setCondition(ConditionTypes.EXPIRED, true, Reasons.IDLE_TIMEOUT, "", T);
    EraVM failed = vm("f");
    failed.getStatus().setPhase(dev.era.api.EraVMPhase.Failed);
    assertThat(List.of(stopped, expired, failed)).noneMatch(CapacityLedger::holdsCapacity);
    assertThat(CapacityLedger.holdsCapacity(vm("r"))).isTrue();
  }

  @Test
  void capacityOurWriteReleasedIsFreeBeforeTheCacheShowsIt() {
    CapacityLedger ledger = new CapacityLedger();
    List<NodeState> nodes = List.of(node("n", 2));
    EraVM a = vm("a");
    ledger.place(a, () -> Stream.of(a), nodes);
    EraVM aHolding = vm("a");
    aHolding.getStatus().setNodeName("n");
    EraVM b = vm("b");
    EraVM c = vm("c");
    ledger.place(b, () -> Stream.of(aHolding, b), nodes);
    assertThat(ledger.place(c, () -> Stream.of(aHolding, b, c), nodes).node()).isEmpty();

    // A reconcile expires a; the cache still shows it holding its CPU.
    EraVM aExpired = vm("a");
    aExpired.getStatus().setNodeName("n");
    aExpired.getStatus().setCondition(ConditionTypes.EXPIRED, true, Reasons.IDLE_TIMEOUT, "", T);
    assertThat(ledger.written(aExpired, true)).isTrue();
    assertThat(ledger.place(c, () -> Stream.of(aHolding, b, c), nodes).node()).contains("n");
  }

  @Test
  void aReleaseIsForgottenOnceTheVmHoldsCapacityAgain() {
    CapacityLedger ledger = new CapacityLedger();
    List<NodeState> nodes = List.of(node("n", 1));
    EraVM a = vm("a");
    a.getStatus().setNodeName("n");
    EraVM aStopped = vm("a");
    aStopped.getSpec().setRunning(false);
    assertThat(ledger.written(aStopped, true)).isTrue();
    assertThat(ledger.written(a, false)).isFalse();
    EraVM b = vm("b");
    assertThat(ledger.place(b, () -> Stream.of(a, b), nodes).node()).isEmpty();
  }

  @Test
  void aWriteThatHeldNothingBeforeFreesNothing() {
    EraVM stopped = vm("s");
    stopped.getSpec().setRunning(false);
    assertThat(new CapacityLedger().written(stopped, false)).isFalse();
  }
}
