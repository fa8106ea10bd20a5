package dev.era.launcher;

import dev.era.launcher.image.GuestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * State and images where QEMU's own user reaches them, for a root launcher that runs QEMU as {@link
 * LauncherConfig#DEFAULT_QEMU_USER}: not under a 0700 temp dir or /root. The images are the shared
 * cache's, linked rather than copied where both are on one filesystem.
 */
final class QemuUserHome implements AutoCloseable {
  static final String USER = LauncherConfig.DEFAULT_QEMU_USER;

  private final Path base;

  private QemuUserHome(Path base) {
    this.base = base;
  }

  /** Needs the images built ({@link Guests#prepareImages}). */
  static QemuUserHome create() throws Exception {
    Path base =
        Files.createTempDirectory(
            Path.of("/tmp"),
            "era-qemu-user",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    Path cache = base.resolve("images");
    Files.createDirectory(cache);
    try (Stream<Path> images = Files.list(GuestImages.defaultCacheDir())) {
      for (Path image : images.filter(Files::isDirectory).toList()) {
        if (!image.getFileName().toString().equals("snapshots")) {
          try {
            run("cp", "-al", image.toString(), cache.toString());
          } catch (IllegalStateException e) {
            // /tmp on another filesystem than the cache (a tmpfs): copies, then.
            run("cp", "-a", image.toString(), cache.toString());
          }
        }
      }
    }
    return new QemuUserHome(base);
  }

  Path base() {
    return base;
  }

  LauncherConfig config() {
    return LauncherConfig.defaults()
        .withStateDir(base.resolve("state"))
        .withCacheDir(base.resolve("images"))
        .withQemuUser(USER);
  }

  @Override
  public void close() throws Exception {
    run("rm", "-rf", base.toString());
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
