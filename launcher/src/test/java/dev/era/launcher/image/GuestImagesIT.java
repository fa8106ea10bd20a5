package dev.era.launcher.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Builds the real images with guest/build-image.sh (or finds them in the user's cache) and inspects
 * them.
 */
class GuestImagesIT {
  private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

  /** Little-endian EROFS_SUPER_MAGIC_V1 (0xE0F5E1E2) at byte 1024. */
  private static final byte[] EROFS = {(byte) 0xe2, (byte) 0xe1, (byte) 0xf5, (byte) 0xe0};

  private final GuestImages images = new GuestImages(GuestImages.defaultCacheDir());

  /**
   * Inspects the image each language boots from: the user's cached one, built first where it is
   * missing.
   */
  @ParameterizedTest
  @EnumSource(GuestLanguage.class)
  void theImageOfEachLanguageIsBootable(GuestLanguage language) throws IOException {
    if (images.find(language).isEmpty()) {
      assumeCanBuild();
    }

    GuestImage image = images.ensure(language, message -> {});

    assertThat(header(image.kernel(), 0, 4)).as("kernel is an ELF vmlinux").isEqualTo(ELF);
    assertThat(header(image.rootfs(), 1024, 4)).as("rootfs is erofs").isEqualTo(EROFS);
    Map<String, byte[]> initramfs = cpioEntries(image.initramfs());
    assertThat(initramfs).containsKeys("init", "modules.order");
    assertThat(Arrays.copyOf(initramfs.get("init"), 4))
        .as("/init is the agent binary")
        .isEqualTo(ELF);
    List<String> modules =
        new String(initramfs.get("modules.order"), StandardCharsets.UTF_8).lines().toList();
    assertThat(modules)
        .contains("virtio_blk.ko", "virtio_console.ko", "virtio_mmio.ko", "erofs.ko");
    assertThat(modules.indexOf("virtio.ko"))
        .as("dependencies load first")
        .isLessThan(modules.indexOf("virtio_blk.ko"));
    for (String module : modules) {
      assertThat(initramfs.get("lib/modules/" + module)).as(module).isNotEmpty();
    }
  }

  /**
   * Builds into an empty cache, whatever the user's cache holds, so the build and the reuse are
   * both exercised.
   */
  @Test
  void anEmptyCacheBuildsOnceAndThenReusesTheImage(@TempDir Path cache) throws IOException {
    assumeCanBuild();
    List<String> buildSteps = new ArrayList<>();

    GuestImage built = new GuestImages(cache).ensure(GuestLanguage.PYTHON, buildSteps::add);
    List<String> reuseSteps = new ArrayList<>();
    GuestImage reused = new GuestImages(cache).ensure(GuestLanguage.PYTHON, reuseSteps::add);

    assertThat(buildSteps)
        .anyMatch(step -> step.contains("compiling the agent"))
        .anyMatch(step -> step.contains("debootstrap"));
    assertThat(built.rootfs()).startsWith(cache).isRegularFile();
    assertThat(header(built.rootfs(), 1024, 4)).as("rootfs is erofs").isEqualTo(EROFS);
    assertThat(reused).isEqualTo(built);
    assertThat(reuseSteps).as("nothing is rebuilt").isEmpty();
  }

  @Test
  void aFailedBuildLeavesNoCacheEntryAndNoTemporaryFiles(@TempDir Path tmp) throws IOException {
    assumeCanBuild();
    Path guest = tmp.resolve("classes/era-guest");
    GuestSources.shipped().extractTo(guest);
    Files.writeString(
        guest.resolve("agent/Makefile"), "all:\n\t@echo 'agent: deliberate failure' >&2; false\n");
    Path cache = tmp.resolve("cache");
    List<String> steps = new ArrayList<>();

    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {guest.getParent().toUri().toURL()}, null)) {
      GuestImages broken = new GuestImages(cache, new GuestSources(loader));
      assertThatThrownBy(() -> broken.ensure(GuestLanguage.PYTHON, steps::add))
          .isInstanceOf(LaunchException.class)
          .hasMessageContaining("compiling the agent")
          .hasMessageContaining(cache.resolve("build.log").toString())
          .hasMessageContaining("agent: deliberate failure");
    }

    assertThat(steps).first().asString().startsWith("boot image: compiling the agent");
    try (Stream<Path> left = Files.list(cache)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(".lock", "build.log");
    }
  }

  /** Building needs root (debootstrap) and the Debian tools the script checks for. */
  private static void assumeCanBuild() {
    assumeTrue(
        isRoot(),
        "building guest images needs root (debootstrap); run the ITs as root or with the images cached");
    List<String> missing =
        Stream.of("debootstrap", "mkfs.erofs", "cpio", "depmod", "make", "cc")
            .filter(
                tool ->
                    Stream.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")
                        .noneMatch(dir -> Files.isExecutable(Path.of(dir, tool))))
            .toList();
    assumeTrue(
        missing.isEmpty(),
        "cannot build guest images without " + missing + "; run scripts/install-deps.sh");
  }

  private static boolean isRoot() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .anyMatch(line -> line.matches("Uid:\\s+0\\s.*"));
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] header(Path file, long offset, int length) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      byte[] bytes = new byte[length];
      in.seek(offset);
      in.readFully(bytes);
      return bytes;
    }
  }

  /** The entries of a newc ("070701") cpio archive by path, without the leading "./". */
  private static Map<String, byte[]> cpioEntries(Path archive) throws IOException {
    byte[] data = Files.readAllBytes(archive);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    int pos = 0;
    while (true) {
      assertThat(new String(data, pos, 6, StandardCharsets.US_ASCII))
          .as("newc magic at " + pos)
          .isEqualTo("070701");
      int size = hexField(data, pos, 6);
      int nameSize = hexField(data, pos, 11);
      String name = new String(data, pos + 110, nameSize - 1, StandardCharsets.UTF_8);
      int dataStart = align4(pos + 110 + nameSize);
      if (name.equals("TRAILER!!!")) {
        return entries;
      }
      entries.put(
          name.startsWith("./") ? name.substring(2) : name,
          Arrays.copyOfRange(data, dataStart, dataStart + size));
      pos = align4(dataStart + size);
    }
  }

  private static int hexField(byte[] header, int entry, int index) {
    return Integer.parseInt(
        new String(header, entry + 6 + 8 * index, 8, StandardCharsets.US_ASCII), 16);
  }

  private static int align4(int n) {
    return (n + 3) & ~3;
  }
}
