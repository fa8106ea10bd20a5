package dev.era.launcher.image;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The guest sources (builder script, module list, package lists, agent) shipped on the classpath
 * under {@code era-guest/}, listed by {@code era-guest/sources.txt}, and the cache keys derived
 * from them. The keys follow guest/build-image.sh exactly: the first 16 hex digits of the sha256 of
 * what {@code sha256sum <inputs>} prints.
 */
final class GuestSources {
  static final String PREFIX = "era-guest/";
  static final String INDEX = "sources.txt";
  static final String SCRIPT = "build-image.sh";
  private static final String MODULES = "modules.txt";
  private static final String AGENT_DIR = "agent/";
  private static final String AGENT_TESTS = "agent/tests/";

  private final ClassLoader loader;
  private final List<String> files;
  private final Map<String, String> keys = new ConcurrentHashMap<>();

  GuestSources(ClassLoader loader) {
    this.loader = loader;
    this.files =
        new String(read(INDEX), StandardCharsets.UTF_8)
            .lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();
  }

  /** The sources packaged with this launcher. */
  static GuestSources shipped() {
    return new GuestSources(GuestSources.class.getClassLoader());
  }

  /** Files listed by the index, relative to the guest directory, in index order. */
  List<String> files() {
    return files;
  }

  /**
   * Key of the kernel + initramfs: the script, the module list and the agent sources (not its
   * tests).
   */
  String bootKey() {
    return keys.computeIfAbsent(
        "boot",
        k -> {
          List<String> inputs = new ArrayList<>(List.of(SCRIPT, MODULES));
          files.stream()
              .filter(f -> f.startsWith(AGENT_DIR) && !f.startsWith(AGENT_TESTS))
              .forEach(inputs::add);
          return keyOf(inputs);
        });
  }

  /** Key of one language's root filesystem: the script and that language's package list. */
  String rootfsKey(GuestLanguage language) {
    String packages = packagesFile(language);
    if (!files.contains(packages)) {
      throw new LaunchException(
          "this launcher has no guest image recipe for "
              + language.id()
              + " (no guest/"
              + packages
              + ")");
    }
    return keys.computeIfAbsent(packages, k -> keyOf(List.of(SCRIPT, packages)));
  }

  /** Writes every listed file and the index into {@code dir}, keeping their relative paths. */
  void extractTo(Path dir) {
    try {
      for (String file : Stream.concat(files.stream(), Stream.of(INDEX)).toList()) {
        Path target = dir.resolve(file);
        Files.createDirectories(target.getParent());
        Files.write(target, read(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the guest sources into " + dir, e);
    }
  }

  private static String packagesFile(GuestLanguage language) {
    return "rootfs/" + language.id() + ".packages";
  }

  private String keyOf(List<String> inputs) {
    // The text `sha256sum a b ...` prints: "<hex>  <path>\n" per file.
    StringBuilder listing = new StringBuilder();
    for (String input : inputs) {
      listing.append(sha256Hex(read(input))).append("  ").append(input).append('\n');
    }
    return sha256Hex(listing.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
  }

  private byte[] read(String file) {
    try (InputStream in = loader.getResourceAsStream(PREFIX + file)) {
      if (in == null) {
        throw new LaunchException(
            "the launcher's guest sources lack "
                + PREFIX
                + file
                + "; the launcher jar was built without guest/ (or guest/sources.txt is stale)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + PREFIX + file + " from the classpath", e);
    }
  }

  private static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
