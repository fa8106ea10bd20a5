package dev.era.api;

/** Machine-readable reasons for conditions, {@code status.reason} and events. */
public final class Reasons {
  // Operator, EraVM
  /** The spec breaks a rule (schema or semantic); the message says which. */
  public static final String INVALID = "Invalid";
  /** No Ready EraNode with a fresh heartbeat has enough free CPU and memory. */
  public static final String UNSCHEDULABLE = "Unschedulable";
  /** The operator placed the VM on a node. */
  public static final String PLACED = "Placed";
  /** The VM's node stayed NotReady past the grace period. */
  public static final String NODE_LOST = "NodeLost";
  /** A VM moved away from a lost node (it had no persistent disk). */
  public static final String RESCHEDULED = "Rescheduled";
  /** No run for ttl.idleSeconds while Running. */
  public static final String IDLE_TIMEOUT = "IdleTimeout";
  /** ttl.absoluteSeconds passed since creation. */
  public static final String ABSOLUTE_TIMEOUT = "AbsoluteTimeout";
  /** The operator deleted the VM because a TTL with action Delete expired. */
  public static final String TTL_DELETED = "TTLDeleted";

  // Node agent, EraVM
  public static final String BOOTING = "Booting";
  public static final String BOOT_FAILED = "BootFailed";
  public static final String VM_DIED = "VMDied";
  public static final String GUEST_READY = "GuestReady";
  public static final String KVM = "KVM";
  public static final String TCG = "TCG";
  /** The node cannot enforce an egress allow-list. */
  public static final String EGRESS_UNSUPPORTED = "EgressUnsupported";

  // Operator, EraRun
  public static final String VM_NOT_FOUND = "VMNotFound";
  public static final String VM_STOPPED = "VMStopped";
  public static final String VM_FAILED = "VMFailed";
  /** The run waits for its VM to become Running. */
  public static final String WAITING_FOR_VM = "WaitingForVM";
  /** The run is labelled for its VM's node; the node agent picks it up. */
  public static final String DISPATCHED = "Dispatched";

  // Node agent, EraRun
  public static final String TIMED_OUT = "TimedOut";
  public static final String EXITED = "Exited";

  private Reasons() {}
}
