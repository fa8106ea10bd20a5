package dev.era.launcher.qemu;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Reads and writes JSON state files atomically (write aside, then rename). */
public final class StateFiles {
  private static final Logger LOG = Logger.getLogger(StateFiles.class);
  static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private StateFiles() {}

  public static void write(Path file, Object value) {
    Path aside = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(aside.toFile(), value);
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
