package dev.era.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.RunFile;
import dev.era.cli.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFilesTest {
  @TempDir Path dir;

  @Test
  void textTravelsAsContentUnderItsOwnName() throws Exception {
    Path script = Files.writeString(dir.resolve("hello.py"), "print('héllo')\n");

    RunFile file = LocalFiles.read(List.of(script)).get(0);

    assertThat(file.getPath()).isEqualTo("hello.py");
    assertThat(file.getContent()).isEqualTo("print('héllo')\n");
    assertThat(file.getContentBase64()).isNull();
    assertThat(file.getMode()).isEqualTo(0644);
  }

  @Test
  void binaryTravelsAsBase64AndExecutablesStayExecutable() throws Exception {
    byte[] bytes = {(byte) 0xff, 0, (byte) 0xfe, 1};
    Path tool = Files.write(dir.resolve("tool"), bytes);
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));

    RunFile file = LocalFiles.read(List.of(tool)).get(0);

    assertThat(file.getContent()).isNull();
    assertThat(Base64.getDecoder().decode(file.getContentBase64())).isEqualTo(bytes);
    assertThat(file.getMode()).isEqualTo(0755);
  }

  @Test
  void twoFilesWithTheSameNameAreRefused() throws Exception {
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    Path first = Files.writeString(dir.resolve("a/x.py"), "1");
    Path second = Files.writeString(dir.resolve("b/x.py"), "2");

    assertThatThrownBy(() -> LocalFiles.read(List.of(first, second)))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("would both be x.py");
  }

  @Test
  void aMissingFileOrADirectoryIsNotFound() {
    assertThatThrownBy(() -> LocalFiles.read(List.of(dir.resolve("nope.py"))))
        .isInstanceOf(CliException.class)
        .hasMessage("file not found: " + dir.resolve("nope.py"));
    assertThatThrownBy(() -> LocalFiles.read(List.of(dir)))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("file not found");
  }

  @Test
  void filesAboveTheLimitTogetherAreRefused() throws Exception {
    Path big = Files.write(dir.resolve("big.bin"), new byte[(int) LocalFiles.MAX_TOTAL_BYTES + 1]);

    assertThatThrownBy(() -> LocalFiles.read(List.of(big)))
        .hasMessageContaining("larger than 1 MiB");
  }
}
