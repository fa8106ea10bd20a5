package dev.era.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.cli.daemon.EraPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code era} with state and config directories of its own: in-process through picocli (fast),
 * or as users do, through the shaded jar or a shell command in the repository root.
 */
public final class CliRunner {
  /**
   * Where the build put the repository and the shaded jar (see the cli pom's test configuration).
   */
  public static final Path REPO_ROOT =
      Path.of(System.getProperty("era.repo.root", "..")).toAbsolutePath().normalize();

  public static final Path JAR = REPO_ROOT.resolve("cli/target/era.jar");

  public record Result(int exitCode, String stdout, String stderr) {
    /**
     * Asserts that this is an error as ERA prints them: one line with a hint, nothing on stdout.
     */
    public Result isOneLineError(int expectedExitCode, String problem) {
      assertThat(exitCode).as("exit code; stderr: %s", stderr).isEqualTo(expectedExitCode);
      assertThat(stdout).as("stdout").isEmpty();
      assertThat(stderr.strip())
          .as("stderr")
          .doesNotContain("\n")
          .startsWith("era: ")
          .contains("(hint: ")
          .contains(problem);
      return this;
    }
  }

  private final Map<String, String> env;

  private CliRunner(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /**
   * KUBECONFIG unset, XDG state and config under {@code dir}, no command server; the image cache is
   * the user's.
   */
  public static CliRunner isolated(Path dir) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("KUBECONFIG");
    env.put("XDG_STATE_HOME", dir.resolve("state").toString());
    env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    // ./era would leave a command server running past the test; CommandServerIT tests it.
    env.put("ERA_COMMAND_SERVER", "off");
    return new CliRunner(env);
  }

  public CliRunner withEnv(String name, String value) {
    Map<String, String> changed = new HashMap<>(env);
    changed.put(name, value);
    return new CliRunner(changed);
  }

  public Map<String, String> env() {
    return env;
  }

  public EraPaths paths() {
    return EraPaths.from(env, System.getProperty("user.home"));
  }

  /** {@code era <args>} in this JVM. */
  public Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exitCode;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exitCode =
          Main.run(
              new CliContext(
                  env, System.getProperty("user.home"), o, e, false, Path.of("").toAbsolutePath()),
              args);
    }
    return new Result(
        exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code java -jar cli/target/era.jar <args>}: the packaged CLI, in its own process. */
  public Result runJar(Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    return exec(command, timeout);
  }

  /** {@code bash -c <script>} in the repository root, e.g. {@code ./era up}. */
  public Result runShell(Duration timeout, String script) throws IOException, InterruptedException {
    return exec(List.of("bash", "-c", script), timeout);
  }

  private Result exec(List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("era-out", ".txt");
    Path err = Files.createTempFile("era-err", ".txt");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(REPO_ROOT.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().clear();
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        throw new AssertionError(
            command + " did not finish within " + timeout + "; stderr: " + Files.readString(err));
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
