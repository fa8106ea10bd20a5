package dev.era.launcher.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleLogTest {
  @TempDir Path dir;

  @Test
  void aLogPastItsCapKeepsItsFirstHalfANoteAndWhatComesNext() throws Exception {
    Path log = Files.writeString(dir.resolve("console.log"), "boot\n" + "x".repeat(200));

    ConsoleLog.cap(log, 100);
    // QEMU appends (append=on): what the guest writes next lands after the note.
    Files.writeString(log, "latest\n", StandardOpenOption.APPEND);

    String kept = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(kept)
        .startsWith("boot\n" + "x".repeat(45))
        .contains("[era: console output dropped here")
        .endsWith("latest\n");
    assertThat(kept.length()).isLessThan(200);
  }

  @Test
  void aLogWithinItsCapIsLeftAlone() throws Exception {
    Path log = Files.writeString(dir.resolve("console.log"), "boot\n");

    ConsoleLog.cap(log, 100);
    ConsoleLog.cap(dir.resolve("missing.log"), 100);

    assertThat(Files.readString(log)).isEqualTo("boot\n");
    assertThat(dir.resolve("missing.log")).doesNotExist();
  }
}
