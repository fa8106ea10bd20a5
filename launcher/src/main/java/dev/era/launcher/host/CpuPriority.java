package dev.era.launcher.host;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * The CPU priority (nice value) of a whole process: every thread's, since Linux keeps one per
 * thread, and threads started later inherit their creator's. Background work, such as a warm guest
 * booting for a pool, runs at {@link #BACKGROUND} so that it never slows VMs that users are
 * running.
 */
public final class CpuPriority {
  public static final int BACKGROUND = 19;
  public static final int NORMAL = 0;

  private static final int CAP_SYS_NICE = 23;

  /** Threads starting while the priority is set are caught by a pass over the new list. */
  private static final int PASSES = 3;

  private static final boolean CAN_RESTORE = hasSysNice();

  private CpuPriority() {}

  /**
   * Whether this process may raise a priority again once it lowered it (CAP_SYS_NICE); without it,
   * a process put in the background would stay there.
   */
  public static boolean canRestore() {
    return CAN_RESTORE;
  }

  private static boolean hasSysNice() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
          return (caps >>> CAP_SYS_NICE & 1) == 1;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Unknown: the caller keeps the normal priority.
    }
    return false;
  }

  /**
   * Moves the calling thread to {@link #BACKGROUND}, where the priority can be raised again ({@link
   * #canRestore}); processes it starts from then on begin there, since a child inherits its
   * creating thread's nice value. Meant for threads that do nothing but background work.
   *
   * @return whether the thread is in the background now
   */
  public static boolean backgroundCurrentThread() {
    if (!CAN_RESTORE) {
      return false;
    }
    try {
      LibC.INSTANCE.setpriority(LibC.PRIO_PROCESS, 0, BACKGROUND); // 0: the calling thread
      return true;
    } catch (LastErrorException e) {
      return false;
    }
  }

  /** The calling thread's nice value. */
  public static int ofCurrentThread() throws IOException {
    return niceIn(Files.readString(Path.of("/proc/thread-self/stat")));
  }

  /** The nice value in a thread's {@code /proc/.../stat} line. */
  static int niceIn(String stat) {
    // After "pid (comm) ": state is field 3, nice field 19.
    return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19 - 3]);
  }

  /**
   * Daemon threads named {@code name} that move to the background ({@link
   * #backgroundCurrentThread}) before their first task.
   */
  public static ThreadFactory backgroundThreads(String name) {
    return r -> {
      Thread t =
          new Thread(
              () -> {
                backgroundCurrentThread();
                r.run();
              },
              name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Sets the nice value of every thread of {@code pid}.
   *
   * @throws IOException when a thread's priority cannot be set (other than one that just ended)
   */
  public static void set(long pid, int nice) throws IOException {
    Set<String> done = new HashSet<>();
    for (int pass = 0; pass < PASSES; pass++) {
      boolean fresh = false;
      try (DirectoryStream<Path> tasks =
          Files.newDirectoryStream(Path.of("/proc", pid + "", "task"))) {
        for (Path task : tasks) {
          String tid = task.getFileName().toString();
          if (done.add(tid)) {
            fresh = true;
            setThread(Integer.parseInt(tid), nice);
          }
        }
      }
      if (!fresh) {
        return;
      }
    }
  }

  private static void setThread(int tid, int nice) throws IOException {
    try {
      LibC.INSTANCE.setpriority(LibC.PRIO_PROCESS, tid, nice);
    } catch (LastErrorException e) {
      if (e.getErrorCode() != LibC.ESRCH) {
        throw new IOException(
            "cannot set the CPU priority of thread " + tid + ": " + e.getMessage(), e);
      }
    }
  }
}
