package dev.era.launcher.qemu;

import dev.era.launcher.ExecListener;
import dev.era.launcher.ExecRequest;
import dev.era.launcher.Execution;
import dev.era.launcher.GuestIdentity;
import dev.era.launcher.LaunchException;
import dev.era.launcher.QemuAccelerator;
import dev.era.launcher.StartKind;
import dev.era.launcher.VmExit;
import dev.era.launcher.VmHandle;
import dev.era.launcher.VmSpec;
import dev.era.launcher.egress.EgressProxy;
import dev.era.launcher.guest.ExecSession;
import dev.era.launcher.guest.Futures;
import dev.era.launcher.guest.GuestConnection;
import dev.era.launcher.guest.GuestFiles;
import dev.era.launcher.host.CpuPriority;
import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.IdentityMessage;
import dev.era.launcher.protocol.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/** A running microVM: its QEMU process, its agent channel, and the files in its state directory. */
public final class QemuVm implements VmHandle {
  private static final Logger LOG = Logger.getLogger(QemuVm.class);

  /**
   * How long the host waits past a command's own timeout before it stops waiting for the guest's
   * EXIT.
   */
  static final Duration EXEC_GRACE = Duration.ofSeconds(30);

  /** How long one control request (file chunk, shutdown) may wait for its answer. */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  /** What IDENTITY carries: as much as a CRNG key, twice. */
  private static final int ENTROPY_BYTES = 64;

  private static final SecureRandom ENTROPY = new SecureRandom();
  private static final Duration QUIT_WAIT = Duration.ofSeconds(1);
  private static final Duration STATUS_CHECK = Duration.ofSeconds(2);

  private enum State {
    BOOTING,
    RUNNING,
    STOPPING,
    DETACHED,
    GONE
  }

  private final VmState record;
  private final VmPaths paths;
  private final VmProcess process;
  private final ScheduledExecutorService scheduler;
  private final Consumer<QemuVm> onGone;
  private final StartKind startKind;
  private final AtomicReference<State> state = new AtomicReference<>(State.BOOTING);
  private final CompletableFuture<VmExit> onExit = new CompletableFuture<>();
  private volatile boolean requested;
  private volatile GuestConnection connection;
  private volatile String exitReason;
  private volatile LastWords lastWords;

  /**
   * @param startKind how QEMU was started: to boot, to restore a snapshot, or by an earlier
   *     launcher
   * @param onGone called once QEMU has ended and the runtime files are gone
   */
  public QemuVm(
      VmState record,
      VmPaths paths,
      VmProcess process,
      StartKind startKind,
      ScheduledExecutorService scheduler,
      Consumer<QemuVm> onGone) {
    this.record = record;
    this.startKind = startKind;
    this.paths = paths;
    this.process = process;
    this.scheduler = scheduler;
    this.onGone = onGone;
    process
        .exit()
        .whenCompleteAsync(
            (reason, failure) -> ended(reason != null ? reason : "QEMU ended"), scheduler);
  }

  /**
   * Connects to the guest agent and waits for its HELLO. A fresh guest says HELLO on its own; a
   * running one (re-adopted) is asked. A fresh VM that does not get ready is killed and cleaned up.
   */
  public void awaitReady(Duration timeout, boolean adopting) {
    String problem = awaitHello(timeout, adopting);
    if (problem != null) {
      throw adopting ? adoptionFailure(problem) : bootFailure(problem);
    }
  }

  /**
   * Loads {@code snapshot} into this VM's QEMU (started with {@code -incoming defer}), resumes it
   * and waits for the agent, which is asked for HELLO: the guest may still believe the snapshot's
   * host is connected. A VM that does not get ready is killed and cleaned up.
   */
  public void awaitRestored(Path snapshot, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String problem;
    try (Qmp qmp = openQmp(timeout)) {
      Snapshots.restore(qmp, snapshot, timeout);
      problem = awaitHello(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), true);
    } catch (IOException e) {
      problem = "VM " + id() + " could not be restored from " + snapshot + ": " + e.getMessage();
    }
    if (problem != null) {
      throw bootFailure(problem);
    }
  }

  /** Null once the agent said HELLO, else what went wrong. */
  private String awaitHello(Duration timeout, boolean ask) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String problem;
    try {
      GuestConnection c = connect(timeout);
      connection = c;
      CompletableFuture<String> ready = ask ? c.hello() : c.ready();
      CompletableFuture.anyOf(ready, process.exit())
          .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (ready.isDone()) {
        ready.join();
        state.compareAndSet(State.BOOTING, State.RUNNING);
        return null;
      }
      problem = "QEMU ended";
    } catch (TimeoutException e) {
      problem =
          "VM "
              + id()
              + " did not become ready within "
              + timeout.toSeconds()
              + " s ("
              + accelerator()
              + ")";
    } catch (ExecutionException | CompletionException e) {
      problem = Futures.unwrap(e).getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problem = "interrupted while VM " + id() + " was booting";
    } catch (LaunchException e) {
      problem = e.getMessage();
    }
    if (process.exit().isDone()) {
      problem = "QEMU ended while VM " + id() + " was booting (" + process.exit().join() + ")";
    }
    return problem;
  }

  /**
   * Writes this running guest, which must not have run user code nor taken an identity yet, to the
   * snapshot of {@code key}; the guest pauses meanwhile.
   *
   * @return the snapshot's size in bytes
   */
  public long saveSnapshot(Snapshots snapshots, SnapshotKey key, Duration timeout)
      throws IOException {
    requireRunning();
    try (Qmp qmp = Qmp.open(paths.qmpSocket(), timeout)) {
      return snapshots.save(qmp, key, timeout);
    }
  }

  /**
   * Whether QEMU holds the guest stopped: still loading a snapshot ({@code inmigrate}), loaded and
   * paused, or paused for a save. A launcher that died mid-restore or mid-save leaves it so, and no
   * other launcher will resume it. False when QEMU does not answer.
   */
  public boolean isHeldStopped() {
    try (Qmp qmp = Qmp.open(paths.qmpSocket(), STATUS_CHECK)) {
      return !qmp.status().equals("running");
    } catch (IOException e) {
      return false;
    }
  }

  private Qmp openQmp(Duration timeout) throws IOException {
    return process.retryWhileStarting(
        timeout, () -> Qmp.open(paths.qmpSocket(), timeout), "VM " + id() + "'s QMP");
  }

  private GuestConnection connect(Duration timeout) {
    try {
      return process.retryWhileStarting(
          timeout,
          () -> GuestConnection.open(id(), paths.agentSocket(), this::connectionLost),
          "VM " + id() + "'s agent");
    } catch (IOException e) {
      throw new LaunchException(e.getMessage(), e);
    }
  }

  /** A re-adopted VM that does not answer keeps running: it may be busy with another launcher. */
  private LaunchException adoptionFailure(String problem) {
    GuestConnection c = connection;
    if (c != null) {
      c.close();
    }
    return new LaunchException(
        problem + ". The VM keeps running; another launcher may still hold its agent channel.");
  }

  /**
   * Kills the half-booted VM, then quotes what QEMU and the console said before its files went
   * away.
   */
  private LaunchException bootFailure(String problem) {
    process.kill();
    awaitGone(KILL_WAIT);
    LastWords words = lastWords != null ? lastWords : LastWords.of(paths);
    StringBuilder message = new StringBuilder(problem);
    if (!words.qemu().startsWith("(")) {
      message.append("\nQEMU said:\n").append(words.qemu());
    }
    message.append("\nLast console lines:\n").append(words.console());
    return new LaunchException(message.toString());
  }

  /** What the launcher recorded when it started this VM. */
  public VmState record() {
    return record;
  }

  @Override
  public VmSpec spec() {
    return record.spec();
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public QemuAccelerator accelerator() {
    return record.accelerator();
  }

  @Override
  public Instant bootedAt() {
    return record.bootedAt();
  }

  @Override
  public boolean isAlive() {
    return state.get() == State.RUNNING && process.isAlive();
  }

  @Override
  public StartKind startKind() {
    return startKind;
  }

  @Override
  public void renewIdentity(GuestIdentity identity) {
    GuestConnection c = requireRunning();
    byte[] entropy = new byte[ENTROPY_BYTES];
    ENTROPY.nextBytes(entropy);
    Frame request = new IdentityMessage(entropy, Instant.now(), identity).toFrame(c.nextId());
    Futures.await(
        c.call(request, "identity"),
        ANSWER_TIMEOUT,
        "VM " + id() + "'s guest agent did not take its identity");
  }

  /** Whether QEMU ended by SIGKILL (waiting up to {@code wait} for it to end). */
  public boolean endsKilled(Duration wait) {
    return process.endsKilled(wait);
  }

  @Override
  public CompletableFuture<VmExit> onExit() {
    return onExit;
  }

  @Override
  public int newExecId() {
    return requireRunning().nextId();
  }

  @Override
  public Execution start(int execId, ExecRequest request, ExecListener listener) {
    ExecSession session =
        ExecSession.start(
            requireRunning(),
            id(),
            execId,
            withEgressProxy(request),
            listener == null ? ExecListener.IGNORE : listener);
    Duration timeout = request.timeout();
    if (timeout != null && !timeout.isZero()) {
      Duration limit = timeout.plus(EXEC_GRACE);
      ScheduledFuture<?> guard =
          scheduler.schedule(
              () ->
                  session.abandon(
                      new LaunchException(
                          "VM "
                              + id()
                              + "'s guest agent did not report the end of a command with a "
                              + timeout.toMillis()
                              + " ms timeout within "
                              + limit.toSeconds()
                              + " s; the guest may be overloaded or broken")),
              limit.toMillis(),
              TimeUnit.MILLISECONDS);
      session.result().whenComplete((result, failure) -> guard.cancel(false));
    }
    return session;
  }

  /** An egress guest's commands find its proxy in their environment, unless they name another. */
  private ExecRequest withEgressProxy(ExecRequest request) {
    if (record.egressHttpPort() == 0) {
      return request;
    }
    Map<String, String> env = new HashMap<>(EgressProxy.guestEnvironment(record.egressHttpPort()));
    env.putAll(request.env());
    return request.withEnv(env);
  }

  /**
   * Without the command's timeout at hand, no guard as in {@link #start}: the guest still applies
   * it.
   */
  @Override
  public Execution attach(int execId, int maxOutput, boolean streamOnly, ExecListener listener) {
    return ExecSession.attach(
        requireRunning(),
        id(),
        execId,
        maxOutput,
        streamOnly,
        listener == null ? ExecListener.IGNORE : listener,
        ANSWER_TIMEOUT);
  }

  @Override
  public void putFile(String path, InputStream content, int mode) {
    new GuestFiles(requireRunning(), id(), ANSWER_TIMEOUT).put(path, content, mode);
  }

  @Override
  public long getFile(String path, OutputStream out) {
    return new GuestFiles(requireRunning(), id(), ANSWER_TIMEOUT).get(path, out);
  }

  @Override
  public Path consoleLog() {
    return paths.consoleLog();
  }

  @Override
  public void stop(Duration deadline) {
    if (!beginEnd()) {
      return;
    }
    long end = System.nanoTime() + deadline.toNanos();
    GuestConnection c = connection;
    try {
      Frame shutdown = Frame.builder(MessageType.SHUTDOWN, c.nextId()).build();
      Futures.await(
          c.call(shutdown, "shutdown", deadline),
          min(deadline, ANSWER_TIMEOUT),
          "the guest agent did not acknowledge SHUTDOWN");
    } catch (LaunchException e) {
      LOG.debugf("VM %s: SHUTDOWN: %s", id(), e.getMessage());
    }
    if (awaitGone(Duration.ofNanos(Math.max(0, end - System.nanoTime())))) {
      return;
    }
    LOG.infof(
        "VM %s did not power off within %d ms; asking QEMU to quit", id(), deadline.toMillis());
    try {
      Qmp.execute(paths.qmpSocket(), "quit", QUIT_WAIT);
    } catch (IOException e) {
      LOG.debugf("VM %s: QMP quit: %s", id(), e.getMessage());
    }
    if (!awaitGone(QUIT_WAIT)) {
      killAndWait();
    }
  }

  @Override
  public void kill() {
    if (beginEnd()) {
      killAndWait();
    }
  }

  @Override
  public void toForeground() {
    try {
      CpuPriority.set(pid(), CpuPriority.NORMAL);
    } catch (IOException e) {
      if (isAlive()) {
        LOG.warnf("VM %s: %s", id(), e.getMessage());
      }
    }
  }

  /** Forgets the VM without stopping it (the launcher closes); a new launcher can re-adopt it. */
  public void detach() {
    if (state.compareAndSet(State.RUNNING, State.DETACHED)
        || state.compareAndSet(State.BOOTING, State.DETACHED)) {
      GuestConnection c = connection;
      if (c != null) {
        c.close(
            new LaunchException(
                "the launcher that managed VM "
                    + id()
                    + " was closed; the VM still runs:"
                    + " find it through a new launcher"));
      }
    }
  }

  /** Marks a stop or kill as requested; false when the VM is already ending (then waits for it). */
  private boolean beginEnd() {
    State current = state.get();
    if (current == State.DETACHED) {
      throw new LaunchException(
          "the launcher that managed VM "
              + id()
              + " was closed: stop the VM through a new launcher");
    }
    // A VM still booting is one a failed adoption holds (a start returns only a ready VM).
    if ((current == State.RUNNING || current == State.BOOTING)
        && state.compareAndSet(current, State.STOPPING)) {
      requested = true;
      return true;
    }
    awaitGone(KILL_WAIT.plus(ANSWER_TIMEOUT));
    return false;
  }

  private void killAndWait() {
    process.kill();
    if (!awaitGone(KILL_WAIT)) {
      throw new LaunchException(
          "QEMU (pid "
              + pid()
              + ") of VM "
              + id()
              + " was still there "
              + KILL_WAIT.toSeconds()
              + " s after SIGKILL; check the host (process stuck in the kernel?)");
    }
  }

  /**
   * Waits until QEMU has ended and the VM's files are gone; false when that takes longer than
   * {@code timeout}.
   */
  public boolean awaitGone(Duration timeout) {
    try {
      onExit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return onExit.isDone();
    }
  }

  private GuestConnection requireRunning() {
    GuestConnection c = connection;
    switch (state.get()) {
      case RUNNING:
        if (c != null && c.isOpen()) {
          return c;
        }
        throw new LaunchException(
            "lost the connection to VM "
                + id()
                + "'s guest agent while QEMU still runs: stop the VM");
      case STOPPING:
        throw new LaunchException("VM " + id() + " is stopping: start it again to run commands");
      case DETACHED:
        throw new LaunchException(
            "the launcher that managed VM "
                + id()
                + " was closed: find the VM through a new launcher");
      case GONE:
        throw notRunning();
      default:
        throw new LaunchException("VM " + id() + " is still booting");
    }
  }

  private LaunchException notRunning() {
    return new LaunchException(
        "VM " + id() + " is not running (" + exitReason + "): start it again to run commands");
  }

  /**
   * Why the channel closed from the guest side: usually QEMU ended, which the exit watch confirms
   * shortly.
   */
  private LaunchException connectionLost() {
    try {
      process.exit().get(2, TimeUnit.SECONDS);
      onExit.get(2, TimeUnit.SECONDS);
      return notRunning();
    } catch (TimeoutException | ExecutionException e) {
      return new LaunchException(
          "lost the connection to VM "
              + id()
              + "'s guest agent while QEMU still runs: stop the VM");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new LaunchException("interrupted while VM " + id() + "'s agent channel closed");
    }
  }

  private void ended(String reason) {
    State previous = state.getAndSet(State.GONE);
    LastWords words = LastWords.of(paths);
    lastWords = words;
    String description = requested ? reason : reason + words.consoleHint();
    exitReason = requested ? "it was stopped" : description;
    GuestConnection c = connection;
    if (c != null) {
      c.close(notRunning());
    }
    if (previous != State.DETACHED) {
      deleteRuntimeFiles();
    }
    onGone.accept(this);
    if (!requested && previous == State.RUNNING) {
      LOG.warnf("VM %s ended unexpectedly: %s", id(), description);
    }
    onExit.complete(new VmExit(requested, description));
  }

  private void deleteRuntimeFiles() {
    try (Stream<Path> files = Files.walk(paths.dir())) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      LOG.warnf("VM %s: cannot remove %s: %s", id(), paths.dir(), e.getMessage());
    }
  }

  /** What QEMU and the guest console said last, read before the VM's files are removed. */
  private record LastWords(String qemu, String console) {
    static LastWords of(VmPaths paths) {
      return new LastWords(
          ConsoleLog.tail(paths.qemuLog(), 10), ConsoleLog.tail(paths.consoleLog(), 20));
    }

    String consoleHint() {
      if (console.startsWith("(")) {
        return "";
      }
      List<String> lines = console.lines().toList();
      return "; console: "
          + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public String toString() {
    return "QemuVm[" + id() + " pid=" + pid() + " " + state.get() + "]";
  }
}
