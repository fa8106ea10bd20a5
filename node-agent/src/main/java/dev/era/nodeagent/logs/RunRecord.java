package dev.era.nodeagent.logs;

/**
 * The {@code run.json} next to a run's logs: which EraRun (uid) and VM they belong to, and the
 * outcome once there is one.
 */
public record RunRecord(String uid, String vmName, String startedAt, RunOutcome outcome) {
  RunRecord withOutcome(RunOutcome o) {
    return new RunRecord(uid, vmName, startedAt, o);
  }
}
