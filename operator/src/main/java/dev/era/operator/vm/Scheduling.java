package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.operator.EraOperatorConfig;
import dev.era.operator.placement.NodeState;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a VM gets its node, one way per {@link EraOperatorConfig.PlacementMode}: {@link
 * LedgerScheduling} chooses it itself, {@link PodScheduling} leaves it to kube-scheduler. Either
 * records a placement the same way ({@link #recordPlacement}); the rest of a VM's reconcile is the
 * same for both.
 */
interface Scheduling {
  /** Event sources of this way's own, next to the reconciler's. */
  default List<EventSource<?, EraVM>> eventSources(EventSourceContext<EraVM> context) {
    return List.of();
  }

  /** The node a VM is placed on, the newest knowledge first. */
  Optional<String> nodeOf(EraVM vm);

  /** Takes note that the VM no longer has a node (it moves off a lost one). */
  void unplace(EraVM vm);

  /**
   * Why a VM placed on a live node has lost its place there all the same; empty while it has not.
   * It is then handled as if its node were lost ({@link NodeLoss}).
   */
  Optional<String> placeLost(EraVM vm);

  /**
   * A VM placed on a live node: its placement is kept on record.
   *
   * @return when to look at the VM again
   */
  Instant keep(EraVM vm, NodeState node, Instant now);

  /**
   * Places a VM that has no node, or leaves it Pending saying why.
   *
   * @return when to look at the VM again
   */
  Instant place(EraVM vm, Map<String, NodeState> nodeStates, Instant now);

  /** Records that the VM is on the node: label, status.nodeName, condition Scheduled. */
  static void recordPlacement(EraVM vm, String node, Instant now) {
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
