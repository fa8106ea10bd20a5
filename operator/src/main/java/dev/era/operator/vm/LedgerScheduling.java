package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import dev.era.operator.EraOperatorConfig;
import dev.era.operator.placement.CapacityLedger;
import dev.era.operator.placement.NodeState;
import dev.era.operator.placement.Placement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's own placement ({@link EraOperatorConfig.PlacementMode#ledger}): places VMs on
 * nodes through the {@link CapacityLedger}, from the capacity the EraNodes report. A VM that finds
 * no room waits: it is woken when a node changes or capacity is freed ({@link CapacityFreed}), and
 * otherwise tries again after {@code unschedulableRetry}.
 */
final class LedgerScheduling implements Scheduling {
  private final CapacityLedger ledger;
  private final Supplier<Stream<EraVM>> cachedVms;
  private final Duration unschedulableRetry;
  private final EventRecorder events;
  private final Function<EraVM, Set<String>> warmNodes;

  /**
   * @param cachedVms reads the controller's cache of EraVMs
   * @param warmNodes the nodes holding a ready guest of the VM's pool that no other VM is on its
   *     way to take
   */
  LedgerScheduling(
      CapacityLedger ledger,
      Supplier<Stream<EraVM>> cachedVms,
      Duration unschedulableRetry,
      EventRecorder events,
      Function<EraVM, Set<String>> warmNodes) {
    this.ledger = ledger;
    this.cachedVms = cachedVms;
    this.unschedulableRetry = unschedulableRetry;
    this.events = events;
    this.warmNodes = warmNodes;
  }

  @Override
  public Optional<String> nodeOf(EraVM vm) {
    return ledger.nodeOf(vm);
  }

  @Override
  public void unplace(EraVM vm) {
    ledger.unplace(vm);
  }

  /** The ledger's record is the VM's own: only its node can take the place away. */
  @Override
  public Optional<String> placeLost(EraVM vm) {
    return Optional.empty();
  }

  /** A stopped VM that no longer fits on its node may not start again. */
  @Override
  public Instant keep(EraVM vm, NodeState node, Instant now) {
    EraVMStatus status = vm.getStatus();
    if (status.getPhase() == EraVMPhase.Stopped
        && CapacityLedger.holdsCapacity(vm)
        && !ledger.fitsAgain(vm, node, cachedVms)) {
      String message = "node " + node.name() + " has no room to start the VM again";
      if (status.setCondition(
          ConditionTypes.SCHEDULED, false, Reasons.UNSCHEDULABLE, message, now)) {
        events.warning(vm, Reasons.UNSCHEDULABLE, message);
      }
      return now.plus(unschedulableRetry);
    }
    Scheduling.recordPlacement(vm, node.name(), now);
    return node.lostAt();
  }

  /** A VM that fits nowhere waits; it is tried again on node changes and freed capacity. */
  @Override
  public Instant place(EraVM vm, Map<String, NodeState> nodeStates, Instant now) {
    EraVMStatus status = vm.getStatus();
    Set<String> warm = vm.getSpec().getPool() == null ? Set.of() : warmNodes.apply(vm);
    Placement.Decision decision = ledger.place(vm, cachedVms, nodeStates.values(), warm);
    if (decision.node().isPresent()) {
      String node = decision.node().get();
      Scheduling.recordPlacement(vm, node, now);
      events.normal(vm, Reasons.SCHEDULED, "Placed on node " + node);
      return nodeStates.get(node).lostAt();
    }
    status.setPhase(EraVMPhase.Pending);
    if (status.setCondition(
        ConditionTypes.SCHEDULED, false, Reasons.UNSCHEDULABLE, decision.reason(), now)) {
      events.warning(vm, Reasons.UNSCHEDULABLE, decision.reason());
    }
    return now.plus(unschedulableRetry);
  }
}
