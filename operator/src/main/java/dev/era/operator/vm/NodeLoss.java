package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import dev.era.operator.placement.NodeState;
import java.time.Instant;

/**
 * A placed VM whose node is lost ({@link NodeState#lost}), or that lost its place there otherwise
 * ({@link Scheduling#placeLost}): no node agent will act for it any more. A VM with a persistent
 * disk fails (the disk is on that node); any other is freed to be placed again elsewhere.
 */
final class NodeLoss {
  private final Scheduling scheduling;
  private final EventRecorder events;

  NodeLoss(Scheduling scheduling, EventRecorder events) {
    this.scheduling = scheduling;
    this.events = events;
  }

  /**
   * @param lost why the node counts as lost (or the place is lost), naming it
   */
  void handle(EraVM vm, String lost, Instant now) {
    EraVMStatus status = vm.getStatus();
    if (vm.getSpec().getPersist() != null) {
      if (status.setCondition(ConditionTypes.SCHEDULED, false, Reasons.NODE_LOST, lost, now)) {
        events.warning(
            vm, Reasons.NODE_LOST, lost + "; its persistent disk is there, so the VM fails");
      }
      status.setPhase(EraVMPhase.Failed);
      status.setReason(Reasons.NODE_LOST);
      status.setMessage(lost + "; the VM's persistent disk is on that node");
      return;
    }
    scheduling.unplace(vm);
    Scheduling.labelsOf(vm).remove(Labels.NODE);
    status.setNodeName(null);
    status.setPhase(EraVMPhase.Pending);
    status.setCondition(ConditionTypes.SCHEDULED, false, Reasons.NODE_LOST, lost, now);
    status.removeCondition(ConditionTypes.READY);
    events.warning(vm, Reasons.RESCHEDULED, lost + "; placing the VM again");
  }
}
