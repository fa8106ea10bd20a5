package dev.era.launcher.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The nice values of a process's threads, as /proc shows them (for tests). */
public final class ThreadNice {
  private ThreadNice() {}

  public static Set<Integer> of(long pid) {
    Set<Integer> nice = new TreeSet<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          nice.add(CpuPriority.niceIn(Files.readString(task.resolve("stat"))));
        } catch (NoSuchFileException e) {
          // The thread ended meanwhile.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return nice;
  }
}
