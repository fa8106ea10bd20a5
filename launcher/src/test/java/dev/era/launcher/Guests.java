package dev.era.launcher;

import dev.era.launcher.host.ProcFs;
import dev.era.launcher.image.GuestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What integration tests share: a launcher over a test state dir, leak checks. */
final class Guests {
  private Guests() {}

  /**
   * Images come from the shared default cache (built on first use: minutes), VMs live under {@code
   * stateDir}.
   */
  static QemuLauncher launcher(Path stateDir) {
    return new QemuLauncher(LauncherConfig.defaults().withStateDir(stateDir));
  }

  /** Builds the images (minutes, once per host) before any test's clock starts. */
  static void prepareImages(GuestLanguage... languages) {
    GuestImages images = new GuestImages(GuestImages.defaultCacheDir());
    for (GuestLanguage language : languages) {
      images.ensure(language, step -> System.out.println("[" + language.id() + " image] " + step));
    }
  }

  /** Processes whose command line names the VM's state directory. */
  static List<Long> processesOf(Path stateDir, String id) {
    return ProcFs.findByMarker(stateDir.resolve("vms").resolve(id).toAbsolutePath() + "/");
  }

  /** Socket descriptors this JVM holds. */
  static long openSockets() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                  return false;
                }
              })
          .count();
    }
  }
}
