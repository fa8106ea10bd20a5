package dev.era.launcher;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run in the guest, as UID 65532 in its own process group.
 *
 * @param argv the program and its arguments; empty when {@code shell} is set
 * @param shell a shell string run with /bin/sh -c, or null
 * @param env variables added to the guest's default environment
 * @param workingDir working directory in the guest, null for /work
 * @param stdin bytes for standard input, null for /dev/null
 * @param timeout kill the process group after this long; null or zero for none
 * @param maxOutput bytes per stream (stdout, stderr) the guest sends; the rest is dropped and
 *     flagged
 * @param streamOnly the output goes to the listener only and the result's stdout and stderr stay
 *     empty, so a caller that keeps the output itself (the node agent, on disk) holds none of it in
 *     memory
 */
public record ExecRequest(
    List<String> argv,
    String shell,
    Map<String, String> env,
    String workingDir,
    byte[] stdin,
    Duration timeout,
    int maxOutput,
    boolean streamOnly) {
  public static final int DEFAULT_MAX_OUTPUT = 1 << 20;

  public ExecRequest {
    argv = List.copyOf(argv == null ? List.of() : argv);
    env = Map.copyOf(env == null ? Map.of() : env);
    if (argv.isEmpty() == (shell == null)) {
      throw new InvalidSpecException("give either an argv or a shell command, not both or neither");
    }
    if (maxOutput <= 0) {
      throw new InvalidSpecException("maxOutput must be positive, got " + maxOutput);
    }
  }

  public static ExecRequest argv(String... argv) {
    return new ExecRequest(
        List.of(argv), null, Map.of(), null, null, null, DEFAULT_MAX_OUTPUT, false);
  }

  public static ExecRequest shell(String command) {
    return new ExecRequest(
        List.of(),
        Objects.requireNonNull(command),
        Map.of(),
        null,
        null,
        null,
        DEFAULT_MAX_OUTPUT,
        false);
  }

  public ExecRequest withTimeout(Duration t) {
    return new ExecRequest(argv, shell, env, workingDir, stdin, t, maxOutput, streamOnly);
  }

  public ExecRequest withEnv(Map<String, String> e) {
    return new ExecRequest(argv, shell, e, workingDir, stdin, timeout, maxOutput, streamOnly);
  }

  public ExecRequest withWorkingDir(String dir) {
    return new ExecRequest(argv, shell, env, dir, stdin, timeout, maxOutput, streamOnly);
  }

  public ExecRequest withStdin(byte[] in) {
    return new ExecRequest(argv, shell, env, workingDir, in, timeout, maxOutput, streamOnly);
  }

  public ExecRequest withMaxOutput(int bytes) {
    return new ExecRequest(argv, shell, env, workingDir, stdin, timeout, bytes, streamOnly);
  }

  /** The output goes to the listener only: the result's stdout and stderr stay empty. */
  public ExecRequest streamingOnly() {
    return new ExecRequest(argv, shell, env, workingDir, stdin, timeout, maxOutput, true);
  }
}
