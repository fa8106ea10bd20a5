package dev.era.apiserver;

import java.time.Duration;

/**
 * Ages as {@code kubectl get} shows them ({@code 42s}, {@code 5m12s}, {@code 3h}, {@code 2d4h}): a
 * port of Kubernetes' {@code duration.HumanDuration}, which the API server applies to {@code date}
 * printer columns.
 */
final class HumanDuration {
  private HumanDuration() {}

  static String of(Duration d) {
    long seconds = d.getSeconds();
    // Up to two seconds in the future count as now: clocks drift.
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = d.toMinutes();
    if (minutes < 10) {
      return twoUnits(minutes, "m", seconds % 60, "s");
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = d.toHours();
    if (hours < 8) {
      return twoUnits(hours, "h", minutes % 60, "m");
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      return twoUnits(hours / 24, "d", hours % 24, "h");
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      return twoUnits(hours / 24 / 365, "y", (hours / 24) % 365, "d");
    }
    return hours / 24 / 365 + "y";
  }

  /** {@code 5m12s}, or {@code 5m} when the smaller unit counts nothing. */
  private static String twoUnits(long large, String largeUnit, long small, String smallUnit) {
    return small == 0 ? large + largeUnit : large + largeUnit + small + smallUnit;
  }
}
