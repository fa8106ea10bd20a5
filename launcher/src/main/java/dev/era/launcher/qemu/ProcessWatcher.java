package dev.era.launcher.qemu;

import dev.era.launcher.host.ProcFs;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Notices when re-adopted QEMU processes end. They are not children of this JVM, so nothing tells
 * us: poll /proc, checking the marker so that a recycled pid does not look alive.
 */
public final class ProcessWatcher implements AutoCloseable {
  static final long POLL_MILLIS = 200;

  private final Map<Long, Watched> watched = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> poller;
  private final ScheduledExecutorService scheduler;

  public ProcessWatcher(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
    this.poller =
        scheduler.scheduleWithFixedDelay(
            this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Completes once {@code pid} no longer runs with {@code marker} in its command line. */
  public CompletableFuture<Void> watch(long pid, String marker) {
    Watched w = watched.computeIfAbsent(pid, p -> new Watched(marker, new CompletableFuture<>()));
    scheduler.execute(this::poll);
    return w.gone;
  }

  /** Checks at once rather than at the next tick (e.g. when a guest connection dropped). */
  public void checkNow() {
    scheduler.execute(this::poll);
  }

  private void poll() {
    watched.forEach(
        (pid, w) -> {
          if (!ProcFs.runs(pid, w.marker)) {
            ProcFs.reap(pid);
            watched.remove(pid);
            w.gone.complete(null);
          }
        });
  }

  @Override
  public void close() {
    poller.cancel(false);
  }

  private record Watched(String marker, CompletableFuture<Void> gone) {}
}
