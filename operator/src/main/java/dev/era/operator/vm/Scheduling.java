package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import dev.era.operator.placement.CapacityLedger;
import dev.era.operator.placement.NodeState;
import dev.era.operator.placement.Placement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Places VMs on nodes through the {@link CapacityLedger} and keeps a placed VM's record (label,
 * status) straight while its node lives. A VM that finds no room waits: it is woken when a node
 * changes or capacity is freed ({@link CapacityFreed}), and otherwise tries again after {@code
 * unschedulableRetry}.
 */
final class Scheduling {
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
  Scheduling(
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

  /**
   * A VM placed on a live node: a stopped one that no longer fits there may not start again;
   * otherwise its placement is recorded.
   *
   * @return when to look at the node again
   */
  Instant keep(EraVM vm, NodeState node, Instant now) {
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
    recordPlacement(vm, node.name(), now);
    return node.lostAt();
  }

  /**
   * @return when to look again: at the chosen node's loss deadline, or the next retry
   */
  Instant place(EraVM vm, Map<String, NodeState> nodeStates, Instant now) {
    EraVMStatus status = vm.getStatus();
    Set<String> warm = vm.getSpec().getPool() == null ? Set.of() : warmNodes.apply(vm);
    Placement.Decision decision = ledger.place(vm, cachedVms, nodeStates.values(), warm);
    if (decision.node().isPresent()) {
      String node = decision.node().get();
      recordPlacement(vm, node, now);
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

  private static void recordPlacement(EraVM vm, String node, Instant now) {
    labelsOf(vm).put(Labels.NODE, node);
    EraVMStatus status = vm.getStatus();
    status.setNodeName(node);
    status.setCondition(ConditionTypes.SCHEDULED, true, Reasons.PLACED, "placed on " + node, now);
    if (status.getPhase() == EraVMPhase.Pending
        || (status.getPhase() == EraVMPhase.Failed
            && Reasons.NODE_LOST.equals(status.getReason()))) {
      status.setPhase(EraVMPhase.Scheduled);
      status.setReason(null);
      status.setMessage(null);
    }
  }

  static Map<String, String> labelsOf(EraVM vm) {
    if (vm.getMetadata().getLabels() == null) {
      vm.getMetadata().setLabels(new HashMap<>());
    }
    return vm.getMetadata().getLabels();
  }
}
