package dev.era.launcher;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run in the guest, as UID 65532 in its own process group.
 *
 * @param argv       the program and its arguments; empty when {@code shell} is set
 * @param shell      a shell string run with /bin/sh -c, or null
 * @param env        variables added to the guest's default environment
 * @param workingDir working directory in the guest, null for /work
 * @param stdin      bytes for standard input, null for /dev/null
 * @param timeout    kill the process group after this long; null or zero for none
 * @param maxOutput  bytes kept per stream (stdout, stderr); the rest is dropped and flagged
 */
public record ExecRequest(List<String> argv, String shell, Map<String, String> env, String workingDir,
                          byte[] stdin, Duration timeout, int maxOutput) {
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
        return new ExecRequest(List.of(argv), null, Map.of(), null, null, null, DEFAULT_MAX_OUTPUT);
    }

    public static ExecRequest shell(String command) {
        return new ExecRequest(List.of(), Objects.requireNonNull(command), Map.of(), null, null, null, DEFAULT_MAX_OUTPUT);
    }

    public ExecRequest withTimeout(Duration t) {
        return new ExecRequest(argv, shell, env, workingDir, stdin, t, maxOutput);
    }

    public ExecRequest withEnv(Map<String, String> e) {
        return new ExecRequest(argv, shell, e, workingDir, stdin, timeout, maxOutput);
    }

    public ExecRequest withWorkingDir(String dir) {
        return new ExecRequest(argv, shell, env, dir, stdin, timeout, maxOutput);
    }

    public ExecRequest withStdin(byte[] in) {
        return new ExecRequest(argv, shell, env, workingDir, in, timeout, maxOutput);
    }

    public ExecRequest withMaxOutput(int bytes) {
        return new ExecRequest(argv, shell, env, workingDir, stdin, timeout, bytes);
    }
}
