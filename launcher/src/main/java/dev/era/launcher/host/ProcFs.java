package dev.era.launcher.host;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Process checks through /proc. A VM's QEMU is recognized by a marker, its state directory, so that
 * a recycled pid is never taken for the VM: in its command line, or as its working directory, which
 * follows the directory when it is renamed (a spare QEMU handed to a VM).
 */
public final class ProcFs {
  private static final Logger LOG = Logger.getLogger(ProcFs.class);

  /** What the kernel appends to a working directory that was removed. */
  private static final String DELETED = " (deleted)";

  private ProcFs() {}

  /**
   * True when {@code pid} runs (not a zombie) and its command line contains {@code marker} or its
   * working directory is {@code marker} (a directory, with its trailing '/').
   */
  public static boolean runs(long pid, String marker) {
    Path dir = Path.of("/proc", Long.toString(pid));
    try {
      if (isZombieState(Files.readString(dir.resolve("stat")))) {
        return false;
      }
      return cmdline(dir).contains(marker) || isWorkingDir(dir, marker);
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isWorkingDir(Path proc, String marker) {
    try {
      String cwd = Files.readSymbolicLink(proc.resolve("cwd")).toString();
      return (cwd.endsWith(DELETED) ? cwd.substring(0, cwd.length() - DELETED.length()) : cwd)
          .concat("/")
          .equals(marker);
    } catch (IOException | UnsupportedOperationException e) {
      return false; // another user's process, or gone
    }
  }

  /** Pids of live processes whose command line contains {@code marker}. */
  public static List<Long> findByMarker(String marker) {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> procs =
        Files.newDirectoryStream(
            Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
      for (Path proc : procs) {
        long pid = Long.parseLong(proc.getFileName().toString());
        if (runs(pid, marker)) {
          pids.add(pid);
        }
      }
    } catch (IOException e) {
      LOG.debugf("cannot list /proc: %s", e.getMessage());
    }
    return pids;
  }

  /**
   * Pids of processes whose environment holds {@code entry} ({@code NAME=value}) exactly. Other
   * users' processes are skipped unless this process may read them (root).
   */
  public static List<Long> findByEnvironment(String entry) {
    byte[] wanted = entry.getBytes(StandardCharsets.UTF_8);
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> procs =
        Files.newDirectoryStream(
            Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
      for (Path proc : procs) {
        try {
          if (holdsEntry(Files.readAllBytes(proc.resolve("environ")), wanted)) {
            pids.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone, or not ours to read
        }
      }
    } catch (IOException e) {
      LOG.debugf("cannot list /proc: %s", e.getMessage());
    }
    return pids;
  }

  /** Whether NUL-separated {@code environ} has {@code entry} as one of its entries. */
  static boolean holdsEntry(byte[] environ, byte[] entry) {
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i - start == entry.length && Arrays.equals(environ, start, i, entry, 0, entry.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  /**
   * Collects the exit status of {@code pid} if this JVM is its parent (a QEMU re-parented to us
   * when we run as PID 1 or a subreaper), so that it does not linger as a zombie. Harmless
   * otherwise.
   */
  public static void reap(long pid) {
    try {
      LibC.INSTANCE.waitpid((int) pid, null, LibC.WNOHANG);
    } catch (LastErrorException e) {
      if (e.getErrorCode() != LibC.ECHILD) {
        LOG.debugf("waitpid(%d): %s", pid, e.getMessage());
      }
    }
  }

  /**
   * The process state letter follows the last ')' of /proc/pid/stat (the command name may contain
   * ')').
   */
  static boolean isZombieState(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0 || close + 2 >= stat.length()) {
      return true;
    }
    char state = stat.charAt(close + 2);
    return state == 'Z' || state == 'X' || state == 'x';
  }

  private static String cmdline(Path dir) throws IOException {
    return new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
        .replace('\0', ' ');
  }
}
