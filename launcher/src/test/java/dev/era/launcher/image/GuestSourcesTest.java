package dev.era.launcher.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * guest/sources.txt decides what the cache keys cover and what the jar ships: it must be complete.
 */
class GuestSourcesTest {
  private static final Path GUEST = Path.of("..", "guest");

  @Test
  void theIndexListsEveryGuestSourceFile() throws IOException {
    List<String> onDisk;
    try (Stream<Path> files = Files.walk(GUEST)) {
      onDisk =
          files
              .filter(Files::isRegularFile)
              .map(f -> GUEST.relativize(f).toString())
              .filter(
                  f ->
                      !f.equals(GuestSources.INDEX)
                          && !f.startsWith("build/")
                          && !f.contains("/build/"))
              .sorted()
              .toList();
    }

    assertThat(GuestSources.shipped().files())
        .as("guest/sources.txt is stale: run guest/build-image.sh --write-index and rebuild")
        .isEqualTo(onDisk);
  }

  @Test
  void theLauncherShipsEveryIndexedFile(@TempDir Path dir) throws IOException {
    GuestSources shipped = GuestSources.shipped();

    shipped.extractTo(dir);

    for (String file : shipped.files()) {
      assertThat(Files.readAllBytes(dir.resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(GUEST.resolve(file)));
    }
    assertThat(dir.resolve(GuestSources.SCRIPT)).isNotEmptyFile();
  }
}
