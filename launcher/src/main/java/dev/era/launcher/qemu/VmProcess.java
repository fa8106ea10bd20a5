package dev.era.launcher.qemu;

import dev.era.launcher.LaunchException;
import dev.era.launcher.host.ProcFs;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A VM's QEMU process: either started here (a child of this JVM in its own session, so it outlives
 * the JVM and no terminal signal reaches it; the JDK reaps it) or re-adopted from a state file
 * (watched through /proc).
 */
public final class VmProcess {
  /** The cgroup.procs files up to {@code --}, then what to exec. */
  private static final String JOIN_CGROUPS =
      "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 1; shift; done; shift; exec \"$@\"";

  private static final int SIGKILL = 9;

  private final long pid;
  private final String marker;
  private final Optional<Process> child;
  private final CompletableFuture<String> exit;

  private VmProcess(
      long pid, String marker, Optional<Process> child, CompletableFuture<String> exit) {
    this.pid = pid;
    this.marker = marker;
    this.child = child;
    this.exit = exit;
  }

  /**
   * Starts QEMU through {@code setsid}, which calls setsid(2) and execs QEMU in place (a child of
   * the JVM is never a process group leader, so setsid does not fork): the pid is QEMU's. QEMU's
   * own -daemonize cannot be used because its fork is refused by -sandbox spawn=deny.
   *
   * @param cgroupProcs the {@code cgroup.procs} of the cgroups QEMU must be in before it runs: a
   *     shell moves itself there and then execs QEMU (same pid); if a move fails, QEMU never starts
   * @param netns a network namespace that nsenter enters before QEMU runs
   * @param dropPrivileges a command that execs the rest as QEMU's own user (setpriv), last before
   *     QEMU because joining the cgroup needs the launcher's privileges; empty to keep them
   */
  public static VmProcess spawn(
      List<String> qemuArgv,
      VmPaths paths,
      List<Path> cgroupProcs,
      Optional<Path> netns,
      List<String> dropPrivileges) {
    List<String> command =
        command(
            QemuBinary.setsid(),
            qemuArgv,
            cgroupProcs,
            netns
                .map(ns -> List.of(QemuBinary.nsenter().toString(), "--net=" + ns, "--"))
                .orElse(List.of()),
            dropPrivileges);
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(paths.dir().toFile()) // which tells it apart, as its command line does
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(paths.qemuLog().toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new LaunchException("cannot start " + qemuArgv.get(0) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> exit = process.onExit().thenApply(p -> describeExit(p.exitValue()));
    return new VmProcess(process.pid(), paths.marker(), Optional.of(process), exit);
  }

  /** Each step execs the next in place, so QEMU keeps setsid's pid. */
  static List<String> command(
      Path setsid,
      List<String> qemuArgv,
      List<Path> cgroupProcs,
      List<String> enterNetns,
      List<String> dropPrivileges) {
    List<String> command = new ArrayList<>();
    command.add(setsid.toString());
    if (!cgroupProcs.isEmpty()) {
      command.addAll(List.of("/bin/sh", "-c", JOIN_CGROUPS, "sh"));
      cgroupProcs.forEach(procs -> command.add(procs.toString()));
      command.add("--");
    }
    command.addAll(enterNetns);
    command.addAll(dropPrivileges);
    command.addAll(qemuArgv);
    return command;
  }

  /** The VM's QEMU if {@code pid} still runs it, watched until it ends. */
  public static Optional<VmProcess> adopt(long pid, VmPaths paths, ProcessWatcher watcher) {
    if (!ProcFs.runs(pid, paths.marker())) {
      return Optional.empty();
    }
    CompletableFuture<String> exit =
        watcher.watch(pid, paths.marker()).thenApply(v -> "QEMU (pid " + pid + ") ended");
    return Optional.of(new VmProcess(pid, paths.marker(), Optional.empty(), exit));
  }

  /** Java reports a death by signal as 128 + the signal number. */
  static String describeExit(int status) {
    if (status > 128) {
      return "QEMU was killed by signal " + (status - 128);
    }
    return "QEMU exited with status " + status;
  }

  public long pid() {
    return pid;
  }

  public boolean isAlive() {
    return !exit.isDone() && child.map(Process::isAlive).orElseGet(() -> ProcFs.runs(pid, marker));
  }

  /** Completes with a short reason once the process is gone. */
  public CompletableFuture<String> exit() {
    return exit;
  }

  /**
   * QEMU creates its sockets a few ms after it starts: retries {@code connect} until it succeeds,
   * QEMU is gone or the time is up.
   *
   * @param socketName whose socket, for the message
   */
  <T> T retryWhileStarting(Duration timeout, CheckedSupplier<T> connect, String socketName)
      throws IOException {
    RetryPolicy<T> retry =
        RetryPolicy.<T>builder()
            .handle(IOException.class)
            .withDelay(Duration.ofMillis(2))
            .withMaxRetries(-1)
            .withMaxDuration(timeout)
            .abortIf((result, failure) -> !isAlive())
            .build();
    try {
      return Failsafe.with(retry).get(connect);
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException(
          "cannot connect to " + socketName + " socket: " + cause.getMessage(), cause);
    }
  }

  /**
   * Waits until QEMU serves QMP: it has set up the machine (its memory too) and runs its main loop.
   */
  public void awaitQmp(Path qmpSocket, Duration timeout) throws IOException {
    retryWhileStarting(timeout, () -> Qmp.open(qmpSocket, timeout), "QMP").close();
  }

  /**
   * Whether this JVM's child QEMU ended by SIGKILL within {@code wait}: the kernel's OOM killer (a
   * cgroup's limit) or someone else's kill, not QEMU's own failure.
   */
  public boolean endsKilled(Duration wait) {
    try {
      exit.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
    return child.map(p -> p.exitValue() == 128 + SIGKILL).orElse(false);
  }

  /** SIGKILL, but only to the VM's own QEMU. */
  public void kill() {
    if (child.isPresent()) {
      child.get().destroyForcibly();
    } else if (ProcFs.runs(pid, marker)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
