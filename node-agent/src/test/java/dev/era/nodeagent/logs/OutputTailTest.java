package dev.era.nodeagent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutputTailTest {
  @ParameterizedTest(name = "{0} bytes, chunks {1}")
  @CsvSource({
    "8, abc|de, abcde, 5, false", // everything while it fits
    "4, abc|defgh|ij, ghij, 10, true" // the last bytes, across chunks
  })
  void keepsTheLastBytesThatFit(int capacity, String chunks, String text, long total, boolean cut) {
    OutputTail tail = new OutputTail(capacity);
    for (String chunk : chunks.split("\\|")) {
      tail.append(bytes(chunk));
    }

    assertThat(tail.text()).isEqualTo(text);
    assertThat(tail.total()).isEqualTo(total);
    assertThat(tail.cut()).isEqualTo(cut);
  }

  @Test
  void aCutTailDropsAPartialUtf8SequenceAtItsStart() {
    OutputTail tail = new OutputTail(4);
    tail.append(bytes("aé€")); // 1 + 2 + 3 bytes: the last 4 start inside "é"

    assertThat(tail.text()).isEqualTo("€");
  }

  @Test
  void readsTheTailOfAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("log");
    Files.writeString(file, "0123456789");

    OutputTail tail = OutputTail.ofFile(file, 4);

    assertThat(tail.text()).isEqualTo("6789");
    assertThat(tail.total()).isEqualTo(10);
    tail.append(bytes("AB"));
    assertThat(tail.text()).isEqualTo("89AB");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
