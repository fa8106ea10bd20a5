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

  /** A guest command that touches every page of {@code mib} MiB and prints that figure. */
  static ExecRequest touching(int mib) {
    return ExecRequest.argv(
        "python3",
        "-c",
        "b = bytearray(%d * 1024 * 1024)\n".formatted(mib)
            + "for i in range(0, len(b), 4096):\n"
            + "    b[i] = 1\n"
            + "print(len(b) // 1048576)");
  }

  /** VmRSS of the process, in KiB. */
  static long rssKib(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .filter(line -> line.startsWith("VmRSS:"))
          .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
          .findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new IllegalStateException("QEMU (pid " + pid + ") is gone", e);
    }
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
