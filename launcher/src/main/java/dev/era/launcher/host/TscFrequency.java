package dev.era.launcher.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The host's TSC frequency in kHz, passed to guests as {@code tsc_early_khz}: without it about one
 * boot in eleven hung in clock calibration under TCG. Sources, best first: sysfs, the kernel log,
 * /proc/cpuinfo.
 */
public final class TscFrequency {
  private static final Logger LOG = Logger.getLogger(TscFrequency.class);
  private static final Pattern REFINED =
      Pattern.compile("tsc: Refined TSC clocksource calibration: ([0-9]+(?:\\.[0-9]+)?) MHz");
  private static final Pattern DETECTED =
      Pattern.compile("tsc: Detected ([0-9]+(?:\\.[0-9]+)?) MHz (?:processor|TSC)");
  private static final Pattern CPU_MHZ =
      Pattern.compile("(?m)^cpu MHz\\s*:\\s*([0-9]+(?:\\.[0-9]+)?)\\s*$");

  private TscFrequency() {}

  /** Reads the frequency from this host; empty when no source says it. */
  public static OptionalLong read() {
    OptionalLong khz =
        readFile(Path.of("/sys/devices/system/cpu/cpu0/tsc_freq_khz"))
            .map(TscFrequency::fromSysfs)
            .orElse(OptionalLong.empty());
    if (khz.isEmpty()) {
      khz = fromKernelLog(kernelLog());
    }
    if (khz.isEmpty()) {
      khz =
          readFile(Path.of("/proc/cpuinfo"))
              .map(TscFrequency::fromCpuinfo)
              .orElse(OptionalLong.empty());
    }
    return khz;
  }

  static OptionalLong fromSysfs(String content) {
    String value = content.strip();
    return value.matches("[0-9]+") && Long.parseLong(value) > 0
        ? OptionalLong.of(Long.parseLong(value))
        : OptionalLong.empty();
  }

  /** The refined calibration wins over the early detection, which can be off by a few kHz. */
  static OptionalLong fromKernelLog(List<String> lines) {
    OptionalLong detected = OptionalLong.empty();
    for (String line : lines) {
      Matcher refined = REFINED.matcher(line);
      if (refined.find()) {
        return OptionalLong.of(mhzToKhz(refined.group(1)));
      }
      Matcher early = DETECTED.matcher(line);
      if (detected.isEmpty() && early.find()) {
        detected = OptionalLong.of(mhzToKhz(early.group(1)));
      }
    }
    return detected;
  }

  static OptionalLong fromCpuinfo(String content) {
    Matcher m = CPU_MHZ.matcher(content);
    return m.find() ? OptionalLong.of(mhzToKhz(m.group(1))) : OptionalLong.empty();
  }

  static long mhzToKhz(String mhz) {
    return new BigDecimal(mhz).movePointRight(3).longValue();
  }

  private static Optional<String> readFile(Path file) {
    try {
      return Optional.of(Files.readString(file));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The kernel's ring buffer through /dev/kmsg, read without blocking: one record per read(2). */
  private static List<String> kernelLog() {
    List<String> lines = new ArrayList<>();
    int fd;
    try {
      fd = LibC.INSTANCE.open("/dev/kmsg", LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      LOG.debugf("cannot read the kernel log: %s", e.getMessage());
      return lines;
    }
    try {
      byte[] record = new byte[8192];
      while (true) {
        try {
          long n = LibC.INSTANCE.read(fd, record, new NativeLong(record.length)).longValue();
          if (n <= 0) {
            break;
          }
          lines.add(new String(record, 0, (int) n, StandardCharsets.UTF_8));
        } catch (LastErrorException e) {
          if (e.getErrorCode() != LibC.EPIPE) {
            break;
          }
        }
      }
    } finally {
      LibC.INSTANCE.close(fd);
    }
    return lines;
  }
}
