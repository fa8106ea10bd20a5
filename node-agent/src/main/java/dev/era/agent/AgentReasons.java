package dev.era.agent;

/**
 * Reasons the node agent writes that {@link dev.era.api.Reasons} does not (yet) define; they belong
 * there, next to the agent's others.
 */
public final class AgentReasons {
  /** EraNode Ready=True: the agent runs and reports. */
  public static final String AGENT_READY = "AgentReady";
  /** EraNode Ready=False: the agent was shut down. */
  public static final String AGENT_STOPPED = "AgentStopped";
  /** EraNode Ready=False: the launcher cannot tell how it would run guests. */
  public static final String LAUNCHER_UNAVAILABLE = "LauncherUnavailable";
  /** EraVM Ready=False once stopped (spec.running false or a TTL with action Stop). */
  public static final String STOPPED = "Stopped";
  /** EraVM event: the VM or its files could not be removed; deletion waits and is retried. */
  public static final String TEARDOWN_FAILED = "TeardownFailed";
  /** EraRun Failed: the node agent restarted while the run was running; its outcome is unknown. */
  public static final String AGENT_RESTARTED = "AgentRestarted";
  /** EraRun Failed: a file could not be read (missing ConfigMap, Secret or key) or written. */
  public static final String STAGING_FAILED = "StagingFailed";
  /** EraRun Failed: the guest could not start the command (e.g. its working directory is missing). */
  public static final String EXEC_FAILED = "ExecFailed";
  /** EraRun Failed: its VM is not running on this node. */
  public static final String VM_NOT_RUNNING = "VMNotRunning";

  private AgentReasons() {}
}
