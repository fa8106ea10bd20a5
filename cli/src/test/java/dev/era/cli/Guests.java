package dev.era.cli;

import dev.era.launcher.host.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** What an IT with real guests needs from the machine, and the cleanup after it. */
final class Guests {
  private Guests() {}

  static boolean onPath(String program) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }

  /** Processes whose command line names {@code dir}: the QEMUs of VMs whose state lives there. */
  static List<ProcessHandle> processesUnder(Path dir) {
    String marker = dir.toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .filter(p -> p.pid() != ProcessHandle.current().pid())
        .toList();
  }

  /**
   * The QEMU of the VM whose runtime directory is {@code vmDir}, as the launcher knows it ({@link
   * ProcFs}: one that began as a spare names the spare's directory, and runs in its VM's).
   */
  static List<ProcessHandle> vmProcesses(Path vmDir) {
    return ProcFs.findByMarker(vmDir.toAbsolutePath() + "/").stream()
        .flatMap(pid -> ProcessHandle.of(pid).stream())
        .toList();
  }

  /**
   * Stops whatever a test started under {@code dir} and left behind (the daemon named by its pid
   * file, VMs), then removes the directory: a failed test must not leak processes or files.
   */
  static void cleanUp(CliRunner cli, Path dir) throws IOException {
    daemonPid(cli).flatMap(ProcessHandle::of).ifPresent(Guests::kill);
    processesUnder(dir).forEach(Guests::kill);
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  static Optional<Long> daemonPid(CliRunner cli) {
    try {
      return Optional.of(Long.parseLong(Files.readString(cli.paths().pidFile()).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void kill(ProcessHandle process) {
    process.destroyForcibly();
    process.onExit().join();
  }
}
