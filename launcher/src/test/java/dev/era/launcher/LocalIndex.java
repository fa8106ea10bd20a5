package dev.era.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A package index of one tiny package, as static files, for installs that must not go online. */
final class LocalIndex {
  static final String PYTHON_PACKAGE = "eratiny";
  static final String PYTHON_VALUE = "installed from the local index";

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
}
