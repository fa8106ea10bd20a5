package dev.era.apiserver;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file through a temporary sibling and a rename, so that readers never see half of it.
 * Every file the server writes (stored Secrets, keys, tokens, kubeconfigs) is its owner's only:
 * mode 0600, whatever the file had before.
 */
final class AtomicFile {
  static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  interface Writer {
    void writeTo(File file) throws IOException;
  }

  private AtomicFile() {}

  static void write(Path file, Writer writer) throws IOException {
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path temporary =
        Files.createTempFile(
            absolute.getParent(), "." + absolute.getFileName(), ".tmp", OWNER_ONLY);
    try {
      writer.writeTo(temporary.toFile());
      Files.move(
          temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  static void writeString(Path file, String text) throws IOException {
    write(file, f -> Files.writeString(f.toPath(), text));
  }
}
