package dev.era.nodeagent.run;

import dev.era.api.EraRunPhase;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.launcher.ExecResult;
import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunOutcome;
import java.time.Instant;

/** How a command's end maps to an EraRun's phase, reason, message and exit code. */
final class RunOutcomes {
  private RunOutcomes() {}

  /**
   * @param log the run's log on the node, which drops what a guest sends past its limit: output is
   *     flagged dropped when the guest or the node dropped some
   */
  static RunOutcome of(ExecResult result, RunLog log, int timeoutSeconds, Instant now) {
    return of(
        result,
        log.dropped(RunLog.Stream.stdout),
        log.dropped(RunLog.Stream.stderr),
        timeoutSeconds,
        now);
  }

  static RunOutcome of(
      ExecResult result,
      boolean nodeDroppedStdout,
      boolean nodeDroppedStderr,
      int timeoutSeconds,
      Instant now) {
    String finished = Times.format(now);
    boolean dropOut = result.stdoutTruncated() || nodeDroppedStdout;
    boolean dropErr = result.stderrTruncated() || nodeDroppedStderr;
    // A shell reports a command a signal ended as 128 + the signal; so does the run.
    int exitCode = result.signal() != 0 ? 128 + result.signal() : result.exitCode();
    if (result.timedOut()) {
      return new RunOutcome(
          EraRunPhase.TimedOut,
          Reasons.TIMED_OUT,
          "killed when its timeout of " + timeoutSeconds + " s passed",
          exitCode,
          dropOut,
          dropErr,
          finished);
    }
    if (result.signal() != 0) {
      return new RunOutcome(
          EraRunPhase.Failed,
          Reasons.EXITED,
          "killed by signal " + result.signal(),
          exitCode,
          dropOut,
          dropErr,
          finished);
    }
    return new RunOutcome(
        result.exitCode() == 0 ? EraRunPhase.Succeeded : EraRunPhase.Failed,
        Reasons.EXITED,
        "exited with code " + result.exitCode(),
        exitCode,
        dropOut,
        dropErr,
        finished);
  }

  /** A run that ended without an exit status (nothing ran, or its end was lost). */
  static RunOutcome failed(String reason, String message, Instant now) {
    return new RunOutcome(
        EraRunPhase.Failed, reason, message, null, false, false, Times.format(now));
  }
}
