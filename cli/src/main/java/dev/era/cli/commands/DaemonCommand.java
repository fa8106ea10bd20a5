package dev.era.cli.commands;

import dev.era.cli.Logging;
import dev.era.cli.daemon.DaemonInfo;
import dev.era.cli.daemon.EmbeddedControlPlane;
import dev.era.cli.daemon.EraPaths;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.host.PrivateDirs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code era daemon}: the embedded control plane in the foreground, as {@code era up} starts it
 * (detached, output to the log). Runs until SIGTERM, then saves the objects and stops.
 */
@Command(
    name = "daemon",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = "Runs the embedded control plane in the foreground (`era up` starts it).")
public final class DaemonCommand extends BaseCommand {
  @Option(names = "--port", defaultValue = "0", converter = FlagConverters.Port.class)
  int port;

  @Option(names = "--images", split = ",", converter = FlagConverters.Image.class)
  List<String> images = new ArrayList<>();

  private EraPaths paths;
  private DaemonInfo info;

  @Override
  public Integer call() throws Exception {
    Logging.forDaemon();
    paths = context().paths();
    PrivateDirs.create(paths.controlPlaneDir());
    try (FileChannel lockFile =
            FileChannel.open(
                paths.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        log(
            Level.SEVERE,
            "another era daemon runs with "
                + paths.stateDir()
                + " (it holds "
                + paths.lockFile()
                + ")");
        return 1;
      }
      long pid = ProcessHandle.current().pid();
      Files.writeString(paths.pidFile(), pid + "\n");
      info =
          new DaemonInfo(
              pid,
              DaemonInfo.Phase.starting,
              "starting",
              null,
              null,
              null,
              Instant.now().toString());
      report(DaemonInfo.Phase.starting, "starting");
      EmbeddedControlPlane daemon;
      try {
        daemon =
            EmbeddedControlPlane.start(
                paths, new EmbeddedControlPlane.Settings(port, languages()), this::progress);
      } catch (Exception e) {
        Logging.direct(Level.SEVERE, DaemonCommand.class, "cannot start: " + e.getMessage(), e);
        report(DaemonInfo.Phase.failed, e.getMessage() == null ? e.toString() : e.getMessage());
        Files.deleteIfExists(paths.pidFile());
        return 1;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(daemon), "era-shutdown"));
      info =
          new DaemonInfo(
              pid,
              DaemonInfo.Phase.ready,
              "ready",
              daemon.apiUrl(),
              paths.kubeconfig().toString(),
              daemon.node(),
              info.startedAt());
      info.write(paths.infoFile());
      log(
          Level.INFO,
          "ready: API server " + daemon.apiUrl() + ", kubeconfig " + paths.kubeconfig());
      new CountDownLatch(1).await(); // until SIGTERM runs the shutdown hook
      return 0;
    }
  }

  List<GuestLanguage> languages() {
    return images.stream()
        .filter(i -> !FlagConverters.Image.NONE.equals(i))
        .map(GuestLanguage::parse)
        .toList();
  }

  private void progress(String step) {
    log(Level.INFO, step);
    report(DaemonInfo.Phase.starting, step);
  }

  private void report(DaemonInfo.Phase phase, String message) {
    info = info.with(phase, message);
    try {
      info.write(paths.infoFile());
    } catch (IOException e) {
      log(Level.WARNING, "cannot write " + paths.infoFile() + ": " + e.getMessage());
    }
  }

  /** SIGTERM: stop every part (saving the objects), then remove the files that say "running". */
  private void shutdown(EmbeddedControlPlane daemon) {
    log(Level.INFO, "stopping: saving the objects to " + paths.objectsFile());
    daemon.close();
    for (var file : List.of(paths.kubeconfig(), paths.infoFile(), paths.pidFile())) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log(Level.WARNING, "cannot remove " + file + ": " + e.getMessage());
      }
    }
    log(Level.INFO, "stopped");
  }

  private static void log(Level level, String message) {
    Logging.direct(level, DaemonCommand.class, message, null);
  }
}
