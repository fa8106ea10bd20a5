package dev.era.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of an EraVM. The operator owns Pending and Scheduled (and Failed for invalid specs and
 * lost nodes); the node agent owns Provisioning, Running, Stopping, Stopped and Failed for boot
 * errors and VMs that died. Constant names are the values written to the API.
 */
public enum EraVMPhase {
  /** Waiting for placement (new, unschedulable, or moved away from a lost node). */
  Pending,
  /** Placed on a node; the node agent has not picked it up yet. */
  Scheduled,
  /** The node agent is booting the microVM. */
  Provisioning,
  /** The guest agent answers; runs are executed. */
  Running,
  Stopping,
  /** Not running; a persistent disk, if any, is kept on the node. */
  Stopped,
  /** See status.reason: Invalid, NodeLost, BootFailed, VMDied. */
  Failed;

  /** Whether a controller may move a VM from this phase to {@code next}. */
  public boolean canTransitionTo(EraVMPhase next) {
    return next == this || successors().contains(next);
  }

  private Set<EraVMPhase> successors() {
    return switch (this) {
      // Failed from Pending/Scheduled: invalid spec or node lost before boot.
      case Pending -> EnumSet.of(Scheduled, Failed);
      // Back to Pending: moved away from a lost node. Running at once: bound to a warm guest.
      case Scheduled -> EnumSet.of(Provisioning, Running, Stopped, Pending, Failed);
      case Provisioning -> EnumSet.of(Running, Stopping, Stopped, Pending, Failed);
      case Running -> EnumSet.of(Stopping, Stopped, Pending, Failed);
      case Stopping -> EnumSet.of(Stopped, Pending, Failed);
      case Stopped -> EnumSet.of(Provisioning, Running, Pending, Failed);
      // A fixed spec goes back to Pending, a lost node that returns to Scheduled; a restart after
      // a crash boots again.
      case Failed -> EnumSet.of(Pending, Scheduled, Provisioning, Stopped);
    };
  }

  /** Whether the node agent has taken over (the VM is past placement). */
  public boolean isOnNode() {
    return this == Provisioning || this == Running || this == Stopping || this == Stopped;
  }
}
