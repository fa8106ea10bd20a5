package dev.era.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Package indexes of one tiny package, as static files, for installs that must not go online. */
final class LocalIndex {
  static final String PYTHON_PACKAGE = "eratiny";
  static final String PYTHON_VALUE = "installed from the local index";
  static final String NODE_PACKAGE = "eratiny";
  static final String NODE_VALUE = "installed from the local registry";

  private LocalIndex() {}

  /**
   * A PEP 503 simple index under {@code root/simple/} with one pure-Python wheel of {@link
   * #PYTHON_PACKAGE}, which pip installs with {@code --index-url http://host/simple/}.
   */
  static void python(Path root) throws IOException {
    String wheel = PYTHON_PACKAGE + "-0.1-py3-none-any.whl";
    String info = PYTHON_PACKAGE + "-0.1.dist-info/";
    Map<String, String> files = new LinkedHashMap<>();
    files.put(PYTHON_PACKAGE + "/__init__.py", "VALUE = '" + PYTHON_VALUE + "'\n");
    files.put(
        info + "METADATA", "Metadata-Version: 2.1\nName: " + PYTHON_PACKAGE + "\nVersion: 0.1\n");
    files.put(
        info + "WHEEL",
        "Wheel-Version: 1.0\nGenerator: era-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
    StringBuilder record = new StringBuilder();
    files.keySet().forEach(name -> record.append(name).append(",,\n"));
    files.put(info + "RECORD", record.append(info).append("RECORD,,\n").toString());
    try (OutputStream out = Files.newOutputStream(root.resolve(wheel));
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    Path project = Files.createDirectories(root.resolve("simple").resolve(PYTHON_PACKAGE));
    Files.writeString(
        project.resolve("index.html"),
        "<!DOCTYPE html><html><body><a href=\"../../"
            + wheel
            + "\">"
            + wheel
            + "</a></body></html>\n");
  }

  /**
   * An npm registry serving {@link #NODE_PACKAGE}: its metadata at {@code root/eratiny} and its
   * tarball at {@code root/tarballs/}, addressed from the metadata as {@code
   * registry/tarballs/...}; npm installs it with {@code --registry registry/}.
   */
  static void node(Path root, String registry) throws IOException, InterruptedException {
    Path staging = Files.createTempDirectory("npm-package");
    Path unpacked = Files.createDirectories(staging.resolve("package"));
    Files.writeString(
        unpacked.resolve("package.json"),
        "{\"name\": \"" + NODE_PACKAGE + "\", \"version\": \"0.1.0\", \"main\": \"index.js\"}\n");
    Files.writeString(unpacked.resolve("index.js"), "module.exports = '" + NODE_VALUE + "';\n");
    String tgz = NODE_PACKAGE + "-0.1.0.tgz";
    Path tarball = Files.createDirectories(root.resolve("tarballs")).resolve(tgz);
    Process tar =
        new ProcessBuilder("tar", "-czf", tarball.toString(), "-C", staging.toString(), "package")
            .inheritIO()
            .start();
    int exit = tar.waitFor();
    try (var staged = Files.walk(staging)) {
      for (Path p : staged.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    if (exit != 0) {
      throw new IOException("tar exited with " + exit);
    }
    Map<String, Object> version =
        Map.of(
            "name",
            NODE_PACKAGE,
            "version",
            "0.1.0",
            "main",
            "index.js",
            "dist",
            Map.of(
                "tarball", registry + "/tarballs/" + tgz,
                "integrity", "sha512-" + sha512(Files.readAllBytes(tarball))));
    new ObjectMapper()
        .writeValue(
            root.resolve(NODE_PACKAGE).toFile(),
            Map.of(
                "name", NODE_PACKAGE,
                "dist-tags", Map.of("latest", "0.1.0"),
                "versions", Map.of("0.1.0", version)));
  }

  private static String sha512(byte[] bytes) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
