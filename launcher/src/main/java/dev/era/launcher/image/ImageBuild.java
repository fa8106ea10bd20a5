package dev.era.launcher.image;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LaunchException;
import dev.era.launcher.ProgressListener;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One run of guest/build-image.sh, unpacked from the classpath into a temporary directory. */
final class ImageBuild {
  /** debootstrap over a slow mirror is the long pole; a build still running after this is stuck. */
  static final Duration TIMEOUT = Duration.ofMinutes(30);

  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final GuestSources sources;
  private final Path cacheDir;

  ImageBuild(GuestSources sources, Path cacheDir) {
    this.sources = sources;
    this.cacheDir = cacheDir;
  }

  void run(GuestLanguage language, ProgressListener progress) {
    Path guestDir;
    try {
      guestDir = Files.createTempDirectory("era-guest-");
    } catch (IOException e) {
      throw new LaunchException(
          "cannot create a temporary directory for the guest sources: " + e.getMessage(), e);
    }
    try {
      sources.extractTo(guestDir);
      runScript(guestDir.resolve(GuestSources.SCRIPT), language, progress);
    } catch (UncheckedIOException e) {
      throw new LaunchException(e.getMessage() + ": " + e.getCause().getMessage(), e);
    } finally {
      deleteTree(guestDir);
    }
  }

  private void runScript(Path script, GuestLanguage language, ProgressListener progress) {
    Process process;
    try {
      process =
          new ProcessBuilder(
                  "bash", script.toString(), "--cache", cacheDir.toString(), language.id())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw new LaunchException(
          "cannot run bash to build the " + language.id() + " guest image: " + e.getMessage(), e);
    }
    BuildOutput output = new BuildOutput(progress);
    Thread reader = new Thread(() -> forward(process, output), "era-image-build-" + language.id());
    reader.setDaemon(true);
    reader.start();
    try {
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(process);
        throw new LaunchException(
            "the "
                + language.id()
                + " guest image build ran longer than "
                + TIMEOUT.toMinutes()
                + " minutes and was stopped; see "
                + cacheDir.resolve("build.log"));
      }
      reader.join(STOP_GRACE.toMillis());
    } catch (InterruptedException e) {
      stop(process);
      Thread.currentThread().interrupt();
      throw new LaunchException(
          "interrupted while building the " + language.id() + " guest image", e);
    }
    if (process.exitValue() != 0) {
      throw new LaunchException(output.failure(process.exitValue()));
    }
  }

  private static void forward(Process process, BuildOutput output) {
    try (BufferedReader err =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = err.readLine(); line != null; line = err.readLine()) {
        output.accept(line);
      }
    } catch (IOException e) {
      // The stream closes when the process is stopped; nothing more to forward.
    }
  }

  /**
   * Stops the script's children first: bash runs its cleanup trap (removing its temporary files)
   * only after the command it waits for has ended.
   */
  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover directory in the temp dir is harmless and says what it was.
    }
  }
}
