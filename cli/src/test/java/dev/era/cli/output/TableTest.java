package dev.era.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void columnsArePaddedToTheirWidestCell() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new Table("NAME", "PHASE")
        .row("a-long-name", "Running")
        .row("b", null)
        .print(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            String.join(
                System.lineSeparator(), "NAME          PHASE", "a-long-name   Running", "b", ""));
  }

  @Test
  void agesReadLikeKubectls() {
    Instant now = Instant.parse("2026-01-02T12:00:00Z");

    assertThat(Age.since("2026-01-02T11:59:18Z", now)).isEqualTo("42s");
    assertThat(Age.since("2026-01-02T11:30:00Z", now)).isEqualTo("30m");
    assertThat(Age.since("2026-01-01T12:00:00Z", now)).isEqualTo("24h");
    assertThat(Age.since("2025-12-29T12:00:00Z", now)).isEqualTo("4d");
    assertThat(Age.since(null, now)).isEmpty();
  }
}
