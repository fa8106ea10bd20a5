package dev.era.launcher.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GuestImagesTest {
  private static final String SCRIPT = "#!/bin/sh\nexit 1\n";

  @TempDir Path tmp;

  private final List<URLClassLoader> loaders = new ArrayList<>();

  @AfterEach
  void closeLoaders() throws IOException {
    for (URLClassLoader loader : loaders) {
      loader.close();
    }
  }

  @Test
  void keysAreTheFirst16HexDigitsOfTheSha256OfTheSha256sumListing() throws IOException {
    GuestSources sources = sources(writeGuest("a", SCRIPT));

    // From the fixture's files: sha256sum build-image.sh modules.txt agent/src/main.c | sha256sum
    // (the agent's
    // tests are no input of the image)
    assertThat(sources.bootKey()).isEqualTo("9634952344f1d3f2");
    // sha256sum build-image.sh rootfs/python.packages | sha256sum
    assertThat(sources.rootfsKey(GuestLanguage.PYTHON)).isEqualTo("2a71414143d818d8");
  }

  @Test
  void keysAreStableAcrossInstancesAndDifferPerLanguage() throws IOException {
    Path guest = writeGuest("a", SCRIPT);
    GuestSources first = sources(guest);
    GuestSources second = sources(guest);

    assertThat(second.bootKey()).isEqualTo(first.bootKey());
    assertThat(second.rootfsKey(GuestLanguage.NODE)).isEqualTo(first.rootfsKey(GuestLanguage.NODE));
    assertThat(first.rootfsKey(GuestLanguage.PYTHON))
        .isNotEqualTo(first.rootfsKey(GuestLanguage.NODE));
  }

  /** Each input changes the keys of exactly the images built from it, and no other key. */
  @ParameterizedTest(name = "changing {0} changes the boot key: {1}, python's: {2}, node's: {3}")
  @CsvSource({
    // The agent goes into the boot image only.
    "agent/src/main.c, true, false, false",
    // The agent's tests are no input of any image.
    "agent/tests/agent_test.c, false, false, false",
    "rootfs/python.packages, false, true, false",
    // The script builds every image.
    "build-image.sh, true, true, true",
  })
  void aChangedInputChangesOnlyTheKeysOfTheImagesBuiltFromIt(
      String input, boolean boot, boolean python, boolean node) throws IOException {
    GuestSources before = sources(writeGuest("a", SCRIPT));
    Path changed = writeGuest("b", SCRIPT);
    Path file = changed.resolve(input);
    Files.writeString(file, Files.readString(file) + "# changed\n");
    GuestSources after = sources(changed);

    assertKeyChanged("boot key", before.bootKey(), after.bootKey(), boot);
    assertKeyChanged(
        "python key",
        before.rootfsKey(GuestLanguage.PYTHON),
        after.rootfsKey(GuestLanguage.PYTHON),
        python);
    assertKeyChanged(
        "node key",
        before.rootfsKey(GuestLanguage.NODE),
        after.rootfsKey(GuestLanguage.NODE),
        node);
  }

  @Test
  void ensureReturnsACachedImageWithoutRunningTheBuilder() throws IOException {
    Path marker = tmp.resolve("builder-ran");
    GuestSources sources = sources(writeGuest("a", "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n"));
    Path cache = tmp.resolve("cache");
    cacheEntries(cache, sources, GuestLanguage.PYTHON);
    List<String> steps = new ArrayList<>();

    GuestImage image = new GuestImages(cache, sources).ensure(GuestLanguage.PYTHON, steps::add);

    Path boot = cache.resolve("boot-" + sources.bootKey());
    assertThat(image.language()).isEqualTo(GuestLanguage.PYTHON);
    assertThat(image.key())
        .isEqualTo(sources.bootKey() + "-" + sources.rootfsKey(GuestLanguage.PYTHON));
    assertThat(image.kernel()).isEqualTo(boot.resolve("kernel"));
    assertThat(image.initramfs()).isEqualTo(boot.resolve("initramfs.cpio"));
    assertThat(image.rootfs())
        .isEqualTo(
            cache
                .resolve("python-" + sources.rootfsKey(GuestLanguage.PYTHON))
                .resolve("rootfs.erofs"));
    assertThat(steps).isEmpty();
    assertThat(marker).doesNotExist();
  }

  @Test
  void findAndPresentSeeOnlyCompleteImages() throws IOException {
    GuestSources sources = sources(writeGuest("a", SCRIPT));
    Path cache = tmp.resolve("cache");
    GuestImages images = new GuestImages(cache, sources);
    assertThat(images.present()).isEmpty();

    cacheEntries(cache, sources, GuestLanguage.NODE);
    Files.createDirectories(cache.resolve("python-" + sources.rootfsKey(GuestLanguage.PYTHON)));

    assertThat(images.find(GuestLanguage.NODE)).isPresent();
    assertThat(images.find(GuestLanguage.PYTHON)).isEmpty();
    assertThat(images.present()).containsExactly(GuestLanguage.NODE);

    Files.delete(cache.resolve("boot-" + sources.bootKey()).resolve("initramfs.cpio"));
    assertThat(images.present()).isEqualTo(EnumSet.noneOf(GuestLanguage.class));
  }

  @Test
  void aLanguageWithoutARecipeIsReportedByName() throws IOException {
    Path guest = writeGuest("a", SCRIPT);
    Files.writeString(
        guest.resolve("sources.txt"),
        Files.readString(guest.resolve("sources.txt")).replace("rootfs/node.packages\n", ""));
    GuestImages images = new GuestImages(tmp.resolve("cache"), sources(guest));

    assertThatThrownBy(() -> images.find(GuestLanguage.NODE))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("no guest image recipe for node")
        .hasMessageContaining("guest/rootfs/node.packages");
  }

  /** A guest source tree under {@code <tmp>/<name>/era-guest}, shaped like the shipped one. */
  private Path writeGuest(String name, String script) throws IOException {
    Path guest = tmp.resolve(name).resolve("era-guest");
    Map<String, String> files =
        Map.of(
            "build-image.sh", script,
            "modules.txt", "virtio_blk\n",
            "agent/src/main.c", "int main(void) { return 0; }\n",
            "agent/tests/agent_test.c", "int main(void) { return 0; }\n",
            "rootfs/node.packages", "nodejs\n",
            "rootfs/python.packages", "python3\n");
    for (Map.Entry<String, String> file : files.entrySet()) {
      Files.createDirectories(guest.resolve(file.getKey()).getParent());
      Files.writeString(guest.resolve(file.getKey()), file.getValue());
    }
    Files.writeString(
        guest.resolve("sources.txt"),
        "# index\nagent/src/main.c\nagent/tests/agent_test.c\nbuild-image.sh\nmodules.txt\n"
            + "rootfs/node.packages\nrootfs/python.packages\n");
    return guest;
  }

  private static void assertKeyChanged(String name, String before, String after, boolean changed) {
    if (changed) {
      assertThat(after).as(name).isNotEqualTo(before);
    } else {
      assertThat(after).as(name).isEqualTo(before);
    }
  }

  private GuestSources sources(Path guest) throws IOException {
    URLClassLoader loader = new URLClassLoader(new URL[] {guest.getParent().toUri().toURL()}, null);
    loaders.add(loader);
    return new GuestSources(loader);
  }

  private static void cacheEntries(Path cache, GuestSources sources, GuestLanguage language)
      throws IOException {
    Path boot = Files.createDirectories(cache.resolve("boot-" + sources.bootKey()));
    Files.write(boot.resolve("kernel"), new byte[] {0x7f, 'E', 'L', 'F'});
    Files.write(boot.resolve("initramfs.cpio"), new byte[] {'0', '7', '0', '7', '0', '1'});
    Path rootfs =
        Files.createDirectories(cache.resolve(language.id() + "-" + sources.rootfsKey(language)));
    Files.write(rootfs.resolve("rootfs.erofs"), new byte[] {1});
  }
}
