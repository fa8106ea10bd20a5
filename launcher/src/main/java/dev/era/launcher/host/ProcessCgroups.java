package dev.era.launcher.host;

import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroups a process is in, as {@code cgroup.procs} files another process can be written to so
 * that it joins them: every hierarchy of cgroup v1, the unified one of v2, or both where a host
 * mounts both (hybrid).
 */
public final class ProcessCgroups {
  private ProcessCgroups() {}

  /**
   * @param root where the host's cgroup hierarchies are mounted, as this process can reach them
   */
  public static List<Path> procsFiles(long pid, Path root) {
    Path file = Path.of("/proc", Long.toString(pid), "cgroup");
    try {
      return procsFiles(Files.readAllLines(file), root);
    } catch (IOException e) {
      throw new LaunchException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** From the lines of a /proc/PID/cgroup file ({@code id:controllers:path}). */
  static List<Path> procsFiles(List<String> lines, Path root) {
    List<Path> files = new ArrayList<>();
    for (String line : lines) {
      String[] fields = line.split(":", 3);
      if (fields.length != 3) {
        continue;
      }
      String path = fields[2];
      if (path.startsWith("/..")) {
        throw new LaunchException(
            "the process's cgroup "
                + path
                + " lies outside this process's cgroup namespace: the node agent must run in"
                + " the host's (a privileged container with hostPID)");
      }
      Path hierarchy = fields[1].isEmpty() ? unified(root) : root.resolve(v1Mount(fields[1]));
      Path procs = hierarchy.resolve(path.substring(1)).resolve("cgroup.procs");
      if (Files.exists(procs)) {
        files.add(procs);
      }
    }
    if (files.isEmpty()) {
      throw new LaunchException("found none of the process's cgroups under " + root);
    }
    return files;
  }

  /** A hybrid host mounts v2 at {@code unified} beside the v1 hierarchies. */
  private static Path unified(Path root) {
    Path hybrid = root.resolve("unified");
    return Files.isDirectory(hybrid) ? hybrid : root;
  }

  /** v1 hierarchies are mounted under their controllers' names ({@code name=systemd}: systemd). */
  private static String v1Mount(String controllers) {
    return controllers.startsWith("name=") ? controllers.substring("name=".length()) : controllers;
  }
}
