package dev.era.launcher.qemu;

import dev.era.launcher.LaunchException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds the host programs the launcher runs, with the Debian package to install when one is
 * missing.
 */
public final class QemuBinary {
  public static final String QEMU = "qemu-system-x86_64";

  /** Where Debian puts admin tools that a non-root PATH may lack. */
  private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

  private QemuBinary() {}

  public static Path qemu() {
    return find(QEMU).orElseThrow(() -> missing(QEMU, "qemu-system-x86"));
  }

  public static Path mkfsExt4() {
    return find("mkfs.ext4").orElseThrow(() -> missing("mkfs.ext4", "e2fsprogs"));
  }

  /** util-linux's setsid starts QEMU in its own session, detached from the JVM's. */
  public static Path setsid() {
    return find("setsid").orElseThrow(() -> missing("setsid", "util-linux"));
  }

  /** util-linux's nsenter puts QEMU into a network namespace that is not the launcher's. */
  public static Path nsenter() {
    return find("nsenter").orElseThrow(() -> missing("nsenter", "util-linux"));
  }

  static LaunchException missing(String program, String debianPackage) {
    return new LaunchException(
        program
            + " is not installed (not found on PATH): install the Debian package "
            + debianPackage
            + " (apt-get install "
            + debianPackage
            + ")");
  }

  static Optional<Path> find(String program) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.concat(Stream.of(path.split(File.pathSeparator)), SBIN.stream())
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, program))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** The first line of {@code qemu --version}, e.g. "QEMU emulator version 7.2.22 (Debian ...)". */
  public static String version(Path qemu) {
    try {
      Process p =
          new ProcessBuilder(qemu.toString(), "--version").redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new LaunchException(qemu + " --version did not answer within 10 s");
      }
      return out.lines().findFirst().orElse("unknown").strip();
    } catch (IOException e) {
      throw new LaunchException("cannot run " + qemu + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted while asking " + qemu + " for its version", e);
    }
  }
}
