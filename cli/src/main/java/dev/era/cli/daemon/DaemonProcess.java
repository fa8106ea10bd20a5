package dev.era.cli.daemon;

import dev.era.cli.CliException;
import dev.era.launcher.host.PrivateDirs;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The control plane daemon seen from the outside: finds it, starts it detached ({@code era up}),
 * waits for it to be ready, and stops it ({@code era down}).
 */
public final class DaemonProcess {
  static final String MAIN_CLASS = "dev.era.cli.Main";
  static final String COMMAND = "daemon";
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int LOG_TAIL_BYTES = 16 * 1024;

  private final EraPaths paths;

  public DaemonProcess(EraPaths paths) {
    this.paths = paths;
  }

  public EraPaths paths() {
    return paths;
  }

  /** The live daemon named by the pid file; a stale file (dead or reused pid) names none. */
  public Optional<ProcessHandle> running() {
    try {
      long pid = Long.parseLong(Files.readString(paths.pidFile()).strip());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(DaemonProcess::isDaemon);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** What the running daemon reports about itself; empty when none runs. */
  public Optional<DaemonInfo> info() {
    return running().flatMap(daemon -> readInfo(daemon.pid()));
  }

  /**
   * Starts {@code era daemon <args>} in its own session (so that the terminal's Ctrl-C and hangup
   * do not reach it), with the given environment, its output going to the log file.
   */
  public ProcessHandle spawn(Map<String, String> env, List<String> args) throws IOException {
    PrivateDirs.create(paths.controlPlaneDir());
    List<String> command =
        new ArrayList<>(
            List.of(
                "setsid",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                MAIN_CLASS,
                COMMAND));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(Redirect.from(new File("/dev/null")))
            .redirectOutput(paths.logFile().toFile())
            .redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(env);
    return builder.start().toHandle();
  }

  /** Waits until the daemon reports ready, passing on each start step; fails with its reason. */
  public DaemonInfo awaitReady(ProcessHandle daemon, Duration timeout, Consumer<String> progress) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      boolean alive = daemon.isAlive();
      Optional<DaemonInfo> info = readInfo(daemon.pid());
      if (info.isPresent()) {
        switch (info.get().phase()) {
          case ready -> {
            return info.get();
          }
          case failed ->
              throw new CliException(
                  "the control plane failed to start: " + info.get().message(),
                  "see its log " + paths.logFile());
          case starting -> progress.accept(info.get().message());
        }
      }
      if (!alive) {
        throw new CliException(
            "the control plane exited while starting: " + lastLogLine(),
            "see its log " + paths.logFile());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new CliException(
            "the control plane is not ready after " + timeout.toMinutes() + " min",
            "it goes on starting in the background: see `era status` and its log "
                + paths.logFile());
      }
      sleep(POLL);
    }
  }

  /** Sends SIGTERM (the daemon saves its state) and waits; SIGKILL after the timeout. */
  public boolean stop(ProcessHandle daemon, Duration timeout) {
    daemon.destroy();
    try {
      daemon.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      daemon.destroyForcibly();
      return false;
    } catch (ExecutionException e) {
      return !daemon.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The last lines of the daemon's log, for error messages. */
  public List<String> logTail(int lines) {
    try (RandomAccessFile log = new RandomAccessFile(paths.logFile().toFile(), "r")) {
      long start = Math.max(0, log.length() - LOG_TAIL_BYTES);
      byte[] bytes = new byte[(int) (log.length() - start)];
      log.seek(start);
      log.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException e) {
      return List.of();
    }
  }

  private String lastLogLine() {
    List<String> tail = new ArrayList<>(logTail(20));
    tail.removeIf(line -> line.isBlank() || line.startsWith("\tat ") || line.startsWith("\t..."));
    return tail.isEmpty() ? "no output in its log" : tail.get(tail.size() - 1).strip();
  }

  private Optional<DaemonInfo> readInfo(long pid) {
    return DaemonInfo.read(paths.infoFile()).filter(info -> info.pid() == pid);
  }

  private static boolean isDaemon(ProcessHandle process) {
    return process
        .info()
        .arguments()
        .map(
            args ->
                Arrays.asList(args).contains(MAIN_CLASS) && Arrays.asList(args).contains(COMMAND))
        .orElse(true);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", "run the command again");
    }
  }
}
