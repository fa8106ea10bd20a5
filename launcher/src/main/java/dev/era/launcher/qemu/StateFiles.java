package dev.era.launcher.qemu;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Reads and writes JSON state files atomically (write aside, then rename), readable by their owner
 * only. A VM's directory is writable by QEMU's user: the file aside is made anew, never opened
 * through a link that user left there.
 */
public final class StateFiles {
  private static final Logger LOG = Logger.getLogger(StateFiles.class);
  static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private StateFiles() {}

  public static void write(Path file, Object value) {
    Path aside = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(aside);
      Files.createFile(aside, OWNER_ONLY);
      try (OutputStream out =
          Files.newOutputStream(aside, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        JSON.writerWithDefaultPrettyPrinter().writeValue(out, value);
      }
      Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(aside);
      } catch (IOException ignored) {
        // the write failure below is what matters
      }
      throw new LaunchException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The file's content, or empty when it is missing or unreadable (which is logged). */
  public static <T> Optional<T> read(Path file, Class<T> type) {
    try {
      return Optional.of(JSON.readValue(Files.readAllBytes(file), type));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warnf("ignoring unreadable state file %s: %s", file, e.getMessage());
      return Optional.empty();
    }
  }
}
