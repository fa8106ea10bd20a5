package dev.era.api;

/** Condition types used in ERA statuses. */
public final class ConditionTypes {
  /** EraVM: the operator has placed it on a node (status.nodeName). Owned by the operator. */
  public static final String SCHEDULED = "Scheduled";

  /**
   * EraVM: the guest agent answers (owned by the node agent), or False with reason {@link
   * Reasons#INVALID} when the operator rejects the spec. EraNode: the node agent is healthy.
   * EraRun: False with {@link Reasons#INVALID} for a spec the operator rejects. EraPool: every
   * guest it asks for is ready (owned by the operator).
   */
  public static final String READY = "Ready";

  /** EraVM: True when the VM runs under KVM, False under TCG emulation. Owned by the node agent. */
  public static final String ACCELERATED = "Accelerated";

  /**
   * EraVM: True when a TTL with action Stop has expired; the node agent then stops the VM as if
   * spec.running were false. Owned by the operator.
   */
  public static final String EXPIRED = "Expired";

  /**
   * EraVM: True once the node agent has removed a deleted VM from its node (reason {@link
   * Reasons#TORN_DOWN}); the operator then removes the finalizer {@link Finalizers#VM_CLEANUP}.
   * Owned by the node agent.
   */
  public static final String TORN_DOWN = "TornDown";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private ConditionTypes() {}
}
