package dev.era.launcher.host;

import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the host offers guests, and who the launcher runs as. */
public final class HostInfo {
  private static final Pattern MEM_AVAILABLE =
      Pattern.compile("(?m)^MemAvailable:\\s+([0-9]+) kB$");

  private HostInfo() {}

  /** The launcher's effective user id: the owner of the sockets it makes. */
  public static int effectiveUid() {
    return LibC.INSTANCE.geteuid();
  }

  public static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** MemAvailable from /proc/meminfo: what new processes can get without swapping. */
  public static long memAvailableMib() {
    try {
      return parseMemAvailableKib(Files.readString(Path.of("/proc/meminfo"))) / 1024;
    } catch (IOException e) {
      throw new LaunchException(
          "cannot read /proc/meminfo to check free memory: " + e.getMessage(), e);
    }
  }

  static long parseMemAvailableKib(String meminfo) {
    Matcher m = MEM_AVAILABLE.matcher(meminfo);
    if (!m.find()) {
      throw new LaunchException(
          "/proc/meminfo has no MemAvailable line; ERA needs Linux 3.14 or later");
    }
    return Long.parseLong(m.group(1));
  }

  public static String kernelRelease() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    } catch (IOException e) {
      return System.getProperty("os.version");
    }
  }
}
