package dev.era.nodeagent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.EraRunPhase;
import dev.era.api.Reasons;
import dev.era.launcher.ExecResult;
import dev.era.nodeagent.logs.RunOutcome;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunOutcomesTest {
  static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");

  @Test
  void exitZeroSucceeds() {
    RunOutcome outcome = RunOutcomes.of(result(0, 0, false), false, false, 60, NOW);

    assertThat(outcome.phase()).isEqualTo(EraRunPhase.Succeeded);
    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.finishedAt()).isEqualTo("2026-01-02T03:04:05Z");
  }

  @Test
  void aNonZeroExitFailsWithItsCode() {
    RunOutcome outcome = RunOutcomes.of(result(3, 0, false), false, false, 60, NOW);

    assertThat(outcome.phase()).isEqualTo(EraRunPhase.Failed);
    assertThat(outcome.reason()).isEqualTo(Reasons.EXITED);
    assertThat(outcome.exitCode()).isEqualTo(3);
  }

  @Test
  void aSignalFailsWithTheShellsExitCode() {
    RunOutcome outcome = RunOutcomes.of(result(-1, 11, false), false, false, 60, NOW);

    assertThat(outcome.phase()).isEqualTo(EraRunPhase.Failed);
    assertThat(outcome.exitCode()).isEqualTo(139);
    assertThat(outcome.message()).contains("signal 11");
  }

  @Test
  void theTimeoutKillIsTimedOut() {
    RunOutcome outcome = RunOutcomes.of(result(-1, 9, true), false, false, 5, NOW);

    assertThat(outcome.phase()).isEqualTo(EraRunPhase.TimedOut);
    assertThat(outcome.reason()).isEqualTo(Reasons.TIMED_OUT);
    assertThat(outcome.message()).contains("5 s");
  }

  @ParameterizedTest(name = "guest dropped stdout {0}, node dropped stderr {1}")
  @CsvSource({
    "true, false", // the guest's word
    "false, true" // the node's, whatever the guest says
  })
  void droppedOutputIsFlaggedWhoeverDroppedIt(
      boolean guestDroppedStdout, boolean nodeDroppedStderr) {
    ExecResult result =
        new ExecResult(
            0, 0, false, new byte[0], new byte[0], guestDroppedStdout, false, Duration.ZERO);

    RunOutcome outcome = RunOutcomes.of(result, false, nodeDroppedStderr, 60, NOW);

    assertThat(outcome.stdoutDropped()).isEqualTo(guestDroppedStdout);
    assertThat(outcome.stderrDropped()).isEqualTo(nodeDroppedStderr);
  }

  private static ExecResult result(int exit, int signal, boolean timedOut) {
    return new ExecResult(
        exit, signal, timedOut, new byte[0], new byte[0], false, false, Duration.ofMillis(5));
  }
}
