package dev.era.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** A running microVM. Thread-safe: several commands may run at once. */
public interface VmHandle {
  VmSpec spec();

  default String id() {
    return spec().id();
  }

  /** Host pid of the QEMU process. */
  long pid();

  QemuAccelerator accelerator();

  Instant bootedAt();

  boolean isAlive();

  /** Whether this VM was booted or restored from a snapshot. */
  StartKind startKind();

  /**
   * Gives the guest fresh entropy (its kernel's random generator is reseeded), the host's time, a
   * hostname and a VM id (commands see it as {@code ERA_VM_ID}), and waits until the guest has
   * taken them. A launcher does this before it hands out a VM; call it again to hand a running
   * guest to a new owner. Two guests restored from one snapshot share no random state afterwards.
   */
  void renewIdentity(GuestIdentity identity);

  /** Completes when the QEMU process ends, whoever ended it. */
  CompletableFuture<VmExit> onExit();

  /**
   * A fresh command id for {@link #start(int, ExecRequest, ExecListener)}, so that a caller can
   * record it before the command starts. Ids count from a random start per launcher: the guest
   * keeps the ids of commands earlier launchers started, which this one is unlikely to repeat.
   */
  int newExecId();

  /**
   * Starts a command under an id from {@link #newExecId()}; output goes to the listener as it
   * arrives and is kept (bounded) in the result.
   */
  Execution start(int execId, ExecRequest request, ExecListener listener);

  default Execution start(ExecRequest request, ExecListener listener) {
    return start(newExecId(), request, listener);
  }

  /**
   * Finds a command an earlier launcher started in this VM (by its {@link Execution#id()}) and
   * follows it from here: the listener and the result get the output it wrote since that launcher
   * let go (what that launcher had received is not repeated), then the rest and its end. A command
   * that ended meanwhile is reported at once; the guest keeps an ended command for 10 minutes.
   *
   * @param maxOutput the most bytes of stdout and of stderr taken here, as {@link
   *     ExecRequest#maxOutput()}; what the guest says the command asked for counts only up to this
   * @param streamOnly the output goes to the listener only, as {@link ExecRequest#streamOnly()}
   * @throws LaunchException when the guest no longer knows the command, or it already reports to
   *     this launcher
   */
  Execution attach(int execId, int maxOutput, boolean streamOnly, ExecListener listener);

  /** Runs a command to the end. */
  default ExecResult exec(ExecRequest request) {
    return start(request, ExecListener.IGNORE).result().join();
  }

  /** Writes a file under the guest's work dir; missing parent directories are created. */
  void putFile(String path, InputStream content, int mode);

  default void putFile(String path, byte[] content) {
    putFile(path, new java.io.ByteArrayInputStream(content), 0644);
  }

  /** Copies a file from under the guest's work dir into {@code out}; returns its size. */
  long getFile(String path, OutputStream out);

  /** The guest's serial console log on the host (kernel and agent messages). */
  Path consoleLog();

  /**
   * Asks the guest to power off; kills QEMU when it has not ended within the deadline. Removes the
   * VM's runtime files.
   */
  void stop(Duration deadline);

  /** Kills QEMU at once and removes the VM's runtime files. */
  void kill();

  /**
   * Moves QEMU to the normal CPU priority, before the VM is anyone's: a warm guest is started at
   * the lowest, from a thread in the background ({@link
   * dev.era.launcher.host.CpuPriority#backgroundCurrentThread}).
   */
  void toForeground();
}
