package dev.era.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sets up java.util.logging, where every library's logging ends (slf4j through slf4j-jdk14,
 * jboss-logging by default): one line per record on stderr.
 */
public final class Logging {
  private Logging() {}

  /** Commands print their own messages; library logs would only be noise, except with --debug. */
  public static void forCommand(boolean debug) {
    configure(debug ? Level.INFO : Level.OFF);
  }

  /** The daemon's stderr is its log file. */
  public static void forDaemon() {
    configure(Level.INFO);
  }

  /**
   * Logs straight to stderr, bypassing the handlers: during JVM shutdown the LogManager's own
   * shutdown hook may already have closed them, and the daemon logs its shutdown steps then.
   */
  public static void direct(Level level, Class<?> source, String message, Throwable thrown) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName(source.getName());
    record.setThrown(thrown);
    System.err.print(new OneLine().format(record));
    System.err.flush();
  }

  private static void configure(Level level) {
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new OneLine());
    handler.setLevel(level);
    root.addHandler(handler);
    root.setLevel(level);
  }

  /** {@code 2026-01-02 10:00:00 INFO logger: message}, then the stack trace if any. */
  static final class OneLine extends Formatter {
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Override
    public String format(LogRecord record) {
      StringBuilder line =
          new StringBuilder()
              .append(TIME.format(Instant.ofEpochMilli(record.getMillis())))
              .append(' ')
              .append(String.format("%-7s", record.getLevel().getName()))
              .append(' ')
              .append(shortName(record.getLoggerName()))
              .append(": ")
              .append(formatMessage(record))
              .append(System.lineSeparator());
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        line.append(trace);
      }
      return line.toString();
    }

    private static String shortName(String logger) {
      return logger == null ? "" : logger.substring(logger.lastIndexOf('.') + 1);
    }
  }
}
