package dev.era.launcher.image;

import dev.era.launcher.ProgressListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads guest/build-image.sh's stderr line by line: {@code [era] <step>} is progress, {@code [era]
 * error: <text>} an error, {@code [era] | <line>} the build log's tail that follows an error.
 * Anything else (a shell error before the script could report) is kept as a short tail.
 */
final class BuildOutput {
  private static final String PREFIX = "[era] ";
  private static final String ERROR = PREFIX + "error: ";
  private static final String LOG_LINE = PREFIX + "| ";
  private static final int KEPT_LINES = 20;

  private final ProgressListener progress;
  private final List<String> errors = new ArrayList<>();
  private final List<String> logTail = new ArrayList<>();
  private final Deque<String> otherTail = new ArrayDeque<>();

  BuildOutput(ProgressListener progress) {
    this.progress = progress;
  }

  synchronized void accept(String line) {
    if (line.startsWith(ERROR)) {
      errors.add(line.substring(ERROR.length()));
    } else if (line.startsWith(LOG_LINE)) {
      logTail.add(line.substring(LOG_LINE.length()));
    } else if (line.startsWith(PREFIX)) {
      progress.step(line.substring(PREFIX.length()));
    } else if (!line.isBlank()) {
      if (otherTail.size() == KEPT_LINES) {
        otherTail.removeFirst();
      }
      otherTail.addLast(line);
    }
  }

  /**
   * What went wrong, for a user: the script's error lines and the log tail, or else its raw output.
   */
  synchronized String failure(int exitCode) {
    StringBuilder message = new StringBuilder();
    if (errors.isEmpty()) {
      message.append("the guest image build failed (exit ").append(exitCode).append(")");
      otherTail.forEach(line -> message.append("\n  ").append(line));
    } else {
      message.append(String.join("\n", errors));
      if (!logTail.isEmpty()) {
        message.append("\nlast lines of the log:");
        logTail.forEach(line -> message.append("\n  ").append(line));
      }
    }
    return message.toString();
  }
}
