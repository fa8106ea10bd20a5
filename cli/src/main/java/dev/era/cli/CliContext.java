package dev.era.cli;

import dev.era.cli.daemon.EraPaths;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;

/**
 * What a command takes from its surroundings: environment, home directory and the standard streams.
 * {@link #system()} is the real process; tests pass their own to run commands in-process.
 *
 * @param interactive whether stderr is a terminal (progress may then be more chatty)
 */
public record CliContext(
    Map<String, String> env, String home, PrintStream out, PrintStream err, boolean interactive) {

  public CliContext {
    env = Map.copyOf(env);
  }

  public static CliContext system() {
    return new CliContext(
        System.getenv(),
        System.getProperty("user.home"),
        System.out,
        System.err,
        System.console() != null);
  }

  /** A set, non-blank environment variable. */
  public Optional<String> env(String name) {
    return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
  }

  public EraPaths paths() {
    return EraPaths.from(env, home);
  }
}
