package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void tightensADirectoryThatExistedOpen() throws Exception {
    Path dir =
        Files.createDirectory(
            tmp.resolve("open"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

    PrivateDirs.create(dir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
  }

  @Test
  void leavesSearchForTheGroupThatQemuUserGaveIt() throws Exception {
    Path dir =
        Files.createDirectory(
            tmp.resolve("searchable"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x---")));

    PrivateDirs.create(dir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx--x---");
  }
}
