package dev.era.launcher;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How a command ended.
 *
 * @param exitCode exit status, or -1 when a signal ended it
 * @param signal the signal that ended it, 0 if none
 * @param timedOut the timeout killed it
 * @param stdout what was kept of stdout (at most maxOutput bytes)
 * @param stderr what was kept of stderr
 * @param stdoutTruncated stdout passed maxOutput
 * @param stderrTruncated stderr passed maxOutput
 * @param duration how long it ran in the guest
 */
public record ExecResult(
    int exitCode,
    int signal,
    boolean timedOut,
    byte[] stdout,
    byte[] stderr,
    boolean stdoutTruncated,
    boolean stderrTruncated,
    Duration duration) {
  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  public boolean succeeded() {
    return exitCode == 0 && signal == 0 && !timedOut;
  }
}
