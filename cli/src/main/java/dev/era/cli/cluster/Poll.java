package dev.era.cli.cluster;

import dev.era.cli.CliException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The pauses between looks at resources while waiting for them to change, one object per wait. It
 * watches them, so that a look follows each change at once (a run on a running VM ends in a tenth
 * of a second, and a user waits for that); between changes, and where a watch is refused or ends,
 * it looks anyway, at first soon, then every {@link #STEADY}.
 */
final class Poll implements AutoCloseable {
  static final Duration FIRST = Duration.ofMillis(20);
  static final Duration STEADY = Duration.ofMillis(250);

  private final Semaphore changes = new Semaphore(0);
  private final List<AutoCloseable> watches = new ArrayList<>();
  private Duration next = FIRST;

  /** Pauses that end early when one of the named resources changes. */
  static Poll watching(ApiResources<?> resources, Collection<String> names) {
    Poll poll = new Poll();
    for (String name : names) {
      poll.watches.add(resources.watch(name, poll.changes::release));
    }
    return poll;
  }

  void pause() {
    try {
      if (changes.tryAcquire(next.toMillis(), TimeUnit.MILLISECONDS)) {
        changes.drainPermits();
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting", "run the command again");
    }
    next = next.multipliedBy(2).compareTo(STEADY) > 0 ? STEADY : next.multipliedBy(2);
  }

  @Override
  public void close() {
    for (AutoCloseable watch : watches) {
      try {
        watch.close();
      } catch (Exception e) {
        // Nothing holds on to a cancelled watch.
      }
    }
  }
}
