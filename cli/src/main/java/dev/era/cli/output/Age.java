package dev.era.cli.output;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * How long ago an RFC 3339 timestamp was, the way {@code kubectl get} shows ages: 42s, 5m, 3h, 2d.
 */
public final class Age {
  private Age() {}

  public static String since(String rfc3339, Instant now) {
    if (rfc3339 == null) {
      return "";
    }
    try {
      long seconds = Math.max(0, Duration.between(Instant.parse(rfc3339), now).getSeconds());
      if (seconds < 120) {
        return seconds + "s";
      } else if (seconds < 3 * 3600) {
        return seconds / 60 + "m";
      } else if (seconds < 48 * 3600) {
        return seconds / 3600 + "h";
      }
      return seconds / 86400 + "d";
    } catch (DateTimeParseException e) {
      return "";
    }
  }
}
