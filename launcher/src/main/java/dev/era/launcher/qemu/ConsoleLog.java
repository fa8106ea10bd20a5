package dev.era.launcher.qemu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * A VM's console log: its end for error messages, and its size kept bounded while a guest writes to
 * it.
 */
public final class ConsoleLog {
  private static final Logger LOG = Logger.getLogger(ConsoleLog.class);

  private static final int TAIL_BYTES = 4096;
  private static final byte[] CUT =
      "\n[era: console output dropped here: the log keeps its first and its latest output]\n"
          .getBytes(StandardCharsets.UTF_8);

  private ConsoleLog() {}

  /**
   * Cuts a log past {@code max} bytes back to its first half (the boot) and a note; QEMU appends
   * (chardev {@code append=on}), so what the guest writes next follows the note. Called every
   * second: between two calls the log may pass {@code max} by what the guest wrote in between.
   */
  public static void cap(Path file, long max) {
    try {
      // Checked every second for every VM: a stat, and the file opened only when it is too big.
      // Never through a link: the log's directory may be writable by QEMU's user.
      if (Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size()
          <= max) {
        return;
      }
      try (FileChannel log =
          FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        log.truncate(max / 2);
        log.write(ByteBuffer.wrap(CUT), max / 2);
      }
    } catch (NoSuchFileException e) {
      // not created yet, or the VM is gone
    } catch (IOException e) {
      LOG.debugf("cannot cap the console log %s: %s", file, e.getMessage());
    }
  }

  /**
   * The last {@code lines} non-blank lines of {@code file}; "(empty)" or "(unreadable …)"
   * otherwise.
   */
  static String tail(Path file, int lines) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, raf.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) (raf.length() - start)];
      raf.seek(start);
      raf.readFully(bytes);
      List<String> all =
          new String(bytes, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
      if (all.isEmpty()) {
        return "(empty)";
      }
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
