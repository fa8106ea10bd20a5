package dev.era.cli.output;

import java.io.PrintStream;
import java.util.Objects;

/**
 * Progress of long work (image builds, boots, stops) on stderr, one line per change with the time
 * since the command started, so that stdout stays clean for results. Silent with {@code -o json}.
 */
public final class Progress {
  private final PrintStream err;
  private final boolean enabled;
  private final long startNanos = System.nanoTime();
  private String last;

  public Progress(PrintStream err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  /** Prints the message unless it repeats the previous one. */
  public synchronized void step(String message) {
    if (!enabled || Objects.equals(message, last)) {
      return;
    }
    last = message;
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    err.printf("[%5.1fs] %s%n", seconds, message);
    err.flush();
  }
}
