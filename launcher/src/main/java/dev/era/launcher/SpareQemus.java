package dev.era.launcher;

import dev.era.launcher.host.CpuPriority;
import dev.era.launcher.qemu.SnapshotKey;
import dev.era.launcher.qemu.VmPaths;
import dev.era.launcher.qemu.VmProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One QEMU per snapshot shape, started before a VM asks for it and waiting in {@code -incoming
 * defer} with its guest memory already faulted in ({@code -mem-prealloc}): a restore into it skips
 * QEMU's start (about 80 ms here) and loads the snapshot in a steady 35–45 ms, where faulting the
 * memory in during the load took 50–600 ms on these hosts. A spare holds its guest's memory while
 * it waits, so one is kept only for a shape restored in the last {@link #KEPT}. Spares start on a
 * thread at the lowest CPU priority; a VM that takes one gets its starter's priority.
 */
final class SpareQemus implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SpareQemus.class);

  /** How long a spare waits for a VM of its shape before it is stopped. */
  static final Duration KEPT = Duration.ofMinutes(10);

  static final String ID_PREFIX = "spare-";

  /** A QEMU waiting for a snapshot, in the directory of its own id. */
  record Spare(SnapshotKey key, String id, VmPaths paths, VmProcess process) {}

  private final ScheduledExecutorService scheduler;
  private final Consumer<Spare> discard;
  private final ExecutorService starter =
      Executors.newSingleThreadExecutor(CpuPriority.backgroundThreads("era-spare-qemu"));

  /** By snapshot key hash: spares waiting, and the ids of those starting. */
  private final Map<String, Spare> ready = new HashMap<>();

  private final Map<String, String> starting = new HashMap<>();
  private boolean closed;

  /**
   * @param discard kills a spare's QEMU and removes its directory
   */
  SpareQemus(ScheduledExecutorService scheduler, Consumer<Spare> discard) {
    this.scheduler = scheduler;
    this.discard = discard;
  }

  /** How many spares wait for a VM. */
  synchronized int ready() {
    return ready.size();
  }

  /** Whether the id is one of this launcher's spares (not a VM, whatever its directory holds). */
  synchronized boolean isSpare(String id) {
    return starting.containsValue(id) || ready.values().stream().anyMatch(s -> s.id().equals(id));
  }

  /** The spare of this shape, if one waits and its QEMU lives; it is the caller's from here. */
  Optional<Spare> take(SnapshotKey key) {
    Spare spare;
    synchronized (this) {
      spare = ready.remove(key.hash());
      if (spare == null) {
        return Optional.empty();
      }
    }
    if (!spare.process().isAlive()) {
      discard.accept(spare);
      return Optional.empty();
    }
    return Optional.of(spare);
  }

  /**
   * Starts a spare of this shape in the background, unless one waits or is starting.
   *
   * @param start starts QEMU for the shape, under the id given
   */
  void prepare(SnapshotKey key, String id, Function<String, Spare> start) {
    synchronized (this) {
      if (closed || ready.containsKey(key.hash()) || starting.putIfAbsent(key.hash(), id) != null) {
        return;
      }
    }
    try {
      starter.execute(() -> started(key, id, start));
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        starting.remove(key.hash());
      }
    }
  }

  private void started(SnapshotKey key, String id, Function<String, Spare> start) {
    Spare spare;
    try {
      spare = start.apply(id);
    } catch (RuntimeException e) {
      boolean closing;
      synchronized (this) {
        starting.remove(key.hash());
        closing = closed;
      }
      if (!closing) {
        LOG.warnf("cannot start a spare QEMU for snapshot %s: %s", key.hash(), e.getMessage());
      }
      return;
    }
    boolean kept;
    synchronized (this) {
      starting.remove(key.hash());
      kept = !closed;
      if (kept) {
        ready.put(key.hash(), spare);
      }
    }
    if (!kept) {
      discard.accept(spare);
      return;
    }
    try {
      scheduler.schedule(() -> expire(spare), KEPT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing: close() stops it
    }
  }

  private void expire(Spare spare) {
    synchronized (this) {
      if (!ready.remove(spare.key().hash(), spare)) {
        return; // taken
      }
    }
    LOG.debugf("stopping spare QEMU %s: no VM of its shape for %s", spare.id(), KEPT);
    discard.accept(spare);
  }

  /** Stops the spares: they hold memory and are no VM's. */
  @Override
  public void close() {
    List<Spare> left;
    synchronized (this) {
      closed = true;
      left = List.copyOf(ready.values());
      ready.clear();
    }
    starter.shutdownNow();
    try {
      starter.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    left.forEach(discard);
  }
}
