package dev.era.nodeagent;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a task a short while after it is asked for, once for every request made in that while. A
 * request made while the task runs gets a run of its own, since the task may have read what the
 * request is about before it changed.
 */
final class GatheredRuns {
  private final ScheduledExecutorService scheduler;
  private final Duration gather;
  private final Runnable task;
  private final AtomicBoolean due = new AtomicBoolean();

  GatheredRuns(ScheduledExecutorService scheduler, Duration gather, Runnable task) {
    this.scheduler = scheduler;
    this.gather = gather;
    this.task = task;
  }

  /** Asks for a run; none when the scheduler is shutting down. */
  void request() {
    if (!due.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.schedule(
          () -> {
            due.set(false);
            task.run();
          },
          gather.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      due.set(false);
    }
  }
}
