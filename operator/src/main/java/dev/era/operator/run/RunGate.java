package dev.era.operator.run;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.Reasons;

/** Whether a pending run may go to its VM's node, must wait, or cannot run at all. */
public sealed interface RunGate {
  /** The VM is Running on {@code node}: hand the run to that node's agent. */
  record Dispatch(String node) implements RunGate {}

  /** The VM is on its way (Pending, Scheduled, Provisioning, restarting). */
  record Wait(String message) implements RunGate {}

  /** The VM cannot take runs; the run fails with this reason and message. */
  record Fail(String reason, String message) implements RunGate {}

  static RunGate of(EraVM vm) {
    String name = vm.getMetadata().getName();
    EraVMStatus status = vm.getStatus();
    if (status.getPhase() == EraVMPhase.Failed) {
      return new Fail(
          Reasons.VM_FAILED,
          "EraVM "
              + name
              + " has failed"
              + (status.getMessage() == null ? "" : ": " + status.getMessage()));
    }
    if (!Boolean.TRUE.equals(vm.getSpec().getRunning())) {
      return new Fail(Reasons.VM_STOPPED, "EraVM " + name + " is stopped (spec.running is false)");
    }
    if (status.isTrue(ConditionTypes.EXPIRED)) {
      return new Fail(Reasons.VM_STOPPED, "EraVM " + name + " was stopped by its TTL");
    }
    if (status.getPhase() == EraVMPhase.Running && status.getNodeName() != null) {
      return new Dispatch(status.getNodeName());
    }
    return new Wait("waiting for EraVM " + name + " to be Running (now " + status.getPhase() + ")");
  }
}
