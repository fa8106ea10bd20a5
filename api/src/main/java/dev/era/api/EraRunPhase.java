package dev.era.api;

/**
 * The life of an EraRun. The operator owns Pending and Failed before dispatch (invalid spec, VM
 * missing, stopped or failed); the node agent owns Running and every end after it, except Failed
 * with reason NodeLost, which the operator writes when the run's node is lost and no agent will.
 */
public enum EraRunPhase {
  Pending,
  Running,
  Succeeded,
  Failed,
  TimedOut;

  public boolean isFinished() {
    return this == Succeeded || this == Failed || this == TimedOut;
  }
}
