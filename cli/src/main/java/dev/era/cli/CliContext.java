package dev.era.cli;

import dev.era.cli.daemon.EraPaths;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a command takes from its surroundings: environment, home and working directories and the
 * standard streams. {@link #system()} is the real process; the command server ({@link
 * dev.era.cli.server.CommandServer}) passes its client's, and tests their own, to run commands
 * in-process.
 *
 * @param interactive whether stderr is a terminal (progress may then be more chatty)
 * @param cwd the directory relative paths on the command line and in KUBECONFIG start from
 */
public record CliContext(
    Map<String, String> env,
    String home,
    PrintStream out,
    PrintStream err,
    boolean interactive,
    Path cwd) {

  public CliContext {
    env = Map.copyOf(env);
  }

  public static CliContext system() {
    return new CliContext(
        System.getenv(),
        System.getProperty("user.home"),
        System.out,
        System.err,
        System.console() != null,
        Path.of("").toAbsolutePath());
  }

  /** A set, non-blank environment variable. */
  public Optional<String> env(String name) {
    return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
  }

  public EraPaths paths() {
    return EraPaths.from(env, home);
  }
}
