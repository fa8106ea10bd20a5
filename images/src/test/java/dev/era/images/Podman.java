package dev.era.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The podman CLI, as scripts/install-deps.sh sets it up (runc, cgroupfs, no default ulimits: the
 * only way containers start on these hosts).
 */
final class Podman {
  private static final long TIMEOUT_MINUTES = 10;

  /** Whether a podman binary is on PATH. */
  static boolean installed() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "podman"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code podman args...} and returns its stdout; fails with its output unless it exits 0.
   */
  String run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add("podman");
    command.addAll(args);
    try {
      Path err = Files.createTempFile("podman", ".err");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(err.toFile())
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException(
              String.join(" ", command)
                  + " exited "
                  + process.exitValue()
                  + ":\n"
                  + out
                  + Files.readString(err));
        }
        return out;
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  String run(String... args) {
    return run(List.of(args));
  }
}
