package dev.era.api;

/**
 * Machine-readable reasons for conditions, {@code status.reason} and events, grouped by who writes
 * them (operator or node agent) and on which kind.
 */
public final class Reasons {
  // Operator, EraVM
  /** The spec breaks a rule (schema or semantic); the message says which. */
  public static final String INVALID = "Invalid";

  /**
   * No Ready EraNode with a fresh heartbeat has enough free CPU and memory; with reservation pods,
   * kube-scheduler found no node for the VM's pod (the message is the scheduler's).
   */
  public static final String UNSCHEDULABLE = "Unschedulable";

  /** The VM's reservation pod exists and waits for kube-scheduler to place it. */
  public static final String WAITING_FOR_SCHEDULER = "WaitingForScheduler";

  /**
   * A pod of the name of the VM's reservation pod exists and belongs to something else; the
   * operator does not adopt it.
   */
  public static final String RESERVATION_POD_CONFLICT = "ReservationPodConflict";

  /**
   * The API server refused to create the VM's reservation pod (a quota, say); the message says why.
   */
  public static final String RESERVATION_POD_FAILED = "ReservationPodFailed";

  /** The operator placed the VM on a node. */
  public static final String PLACED = "Placed";

  /** Normal event when the operator places a VM, named as kube-scheduler's event for a Pod. */
  public static final String SCHEDULED = "Scheduled";

  /**
   * The node stayed NotReady (or silent) past the grace period, or has no EraNode. Also the reason
   * of an EraRun that was Running there, which the operator then fails.
   */
  public static final String NODE_LOST = "NodeLost";

  /** A VM moved away from a lost node (it had no persistent disk). */
  public static final String RESCHEDULED = "Rescheduled";

  /** No run for ttl.idleSeconds while Running. */
  public static final String IDLE_TIMEOUT = "IdleTimeout";

  /** ttl.absoluteSeconds passed since creation. */
  public static final String ABSOLUTE_TIMEOUT = "AbsoluteTimeout";

  /** The operator deleted the VM because a TTL with action Delete expired. */
  public static final String TTL_DELETED = "TTLDeleted";

  // Operator, EraPool
  /** Ready=True: as many guests are ready as the pool asks for. */
  public static final String FILLED = "Filled";

  /** Ready=False: guests are still booting (or refilling after claims). */
  public static final String FILLING = "Filling";

  /** Ready=False: the matching nodes have no room for some of the guests. */
  public static final String NO_ROOM = "NoRoom";

  // Node agent, EraVM
  public static final String BOOTING = "Booting";
  public static final String BOOT_FAILED = "BootFailed";
  public static final String VM_DIED = "VMDied";
  public static final String GUEST_READY = "GuestReady";

  /**
   * Warning event: the node's snapshot for the VM's shape could not be restored; it was deleted and
   * the VM cold-booted (and saved a fresh one).
   */
  public static final String SNAPSHOT_DISCARDED = "SnapshotDiscarded";

  public static final String KVM = "KVM";
  public static final String TCG = "TCG";

  /** Normal event: the VM was bound to a ready guest of its pool. */
  public static final String WARM_GUEST = "WarmGuest";

  /** Normal event: the VM's pool had no ready guest on the node; it boots one of its own. */
  public static final String POOL_DRY = "PoolDry";

  /** A Warning event: an egress VM's proxy refused a destination not in its allow-list. */
  public static final String EGRESS_DENIED = "EgressDenied";

  /** Ready=False and a Normal event once stopped (spec.running false or a TTL with action Stop). */
  public static final String STOPPED = "Stopped";

  /** Warning event: the VM or its files could not be removed; deletion waits and is retried. */
  public static final String TEARDOWN_FAILED = "TeardownFailed";

  /** EraVM condition TornDown: the node agent removed the deleted VM from its node. */
  public static final String TORN_DOWN = "TornDown";

  // Node agent, EraNode
  /** Ready=True: the agent runs and reports. */
  public static final String AGENT_READY = "AgentReady";

  /** Ready=False: the agent was shut down. */
  public static final String AGENT_STOPPED = "AgentStopped";

  /** Ready=False: the launcher cannot tell how it would run guests. */
  public static final String LAUNCHER_UNAVAILABLE = "LauncherUnavailable";

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

  /**
   * Failed: the node agent restarted while the run was running and could not find its command again
   * (its VM is gone, or the guest no longer knows it); its outcome is unknown.
   */
  public static final String AGENT_RESTARTED = "AgentRestarted";

  /** Failed: a file could not be read (missing ConfigMap, Secret or key) or written. */
  public static final String STAGING_FAILED = "StagingFailed";

  /** Failed: the guest could not start the command (e.g. its working directory is missing). */
  public static final String EXEC_FAILED = "ExecFailed";

  /** Failed: its VM is not running on this node. */
  public static final String VM_NOT_RUNNING = "VMNotRunning";

  private Reasons() {}
}
