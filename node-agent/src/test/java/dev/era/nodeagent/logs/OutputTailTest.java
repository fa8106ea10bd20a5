package dev.era.nodeagent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputTailTest {
  @Test
  void keepsEverythingWhileItFits() {
    OutputTail tail = new OutputTail(8);
    tail.append(bytes("abc"));
    tail.append(bytes("de"));

    assertThat(tail.text()).isEqualTo("abcde");
    assertThat(tail.total()).isEqualTo(5);
    assertThat(tail.cut()).isFalse();
  }

  @Test
  void keepsTheLastBytesAcrossChunks() {
    OutputTail tail = new OutputTail(4);
    tail.append(bytes("abc"));
    tail.append(bytes("defgh"));
    tail.append(bytes("ij"));

    assertThat(tail.text()).isEqualTo("ghij");
    assertThat(tail.total()).isEqualTo(10);
    assertThat(tail.cut()).isTrue();
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
