package dev.era.cli.cluster;

import dev.era.cli.CliException;
import java.time.Duration;

/**
 * The pauses between looks at a resource while waiting for it to change, one object per wait: short
 * at first, so that a change that comes quickly (a run on a running VM ends in a tenth of a second)
 * is seen quickly, then doubling up to a steady interval that keeps a long wait light on the API
 * server.
 */
final class Poll {
  static final Duration FIRST = Duration.ofMillis(20);
  static final Duration STEADY = Duration.ofMillis(250);

  private Duration next = FIRST;

  void pause() {
    try {
      Thread.sleep(next.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting", "run the command again");
    }
    next = next.multipliedBy(2).compareTo(STEADY) > 0 ? STEADY : next.multipliedBy(2);
  }
}
