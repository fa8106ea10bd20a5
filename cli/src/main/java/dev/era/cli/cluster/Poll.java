package dev.era.cli.cluster;

import dev.era.cli.CliException;
import java.time.Duration;

/** The pause between two looks at a resource while waiting for it to change. */
final class Poll {
  static final Duration INTERVAL = Duration.ofMillis(250);

  private Poll() {}

  static void pause() {
    try {
      Thread.sleep(INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting", "run the command again");
    }
  }
}
