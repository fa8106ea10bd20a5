package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrivateDirsTest {
  @TempDir Path tmp;

  @Test
  void createsEveryMissingLevelForItsOwnerOnly() throws Exception {
    Path dir = PrivateDirs.create(tmp.resolve("state/era/node-agent"));

    for (Path level : new Path[] {tmp.resolve("state"), tmp.resolve("state/era"), dir}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(level)))
          .as(level.toString())
          .isEqualTo("rwx------");
    }
  }

  /** An open directory is tightened; search for the group, which QemuUser gives, is kept. */
  @ParameterizedTest
  @CsvSource({"rwxr-xr-x, rwx------", "rwx--x---, rwx--x---", "rwx--x--x, rwx------"})
  void tightensADirectoryThatExistedOpen(String before, String after) throws Exception {
    Path dir =
        Files.createDirectory(
            tmp.resolve("existing"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(before)));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(before)); // past the umask

    PrivateDirs.create(dir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo(after);
  }
}
