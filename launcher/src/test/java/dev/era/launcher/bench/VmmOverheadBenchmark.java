package dev.era.launcher.bench;

import dev.era.launcher.ExecListener;
import dev.era.launcher.ExecRequest;
import dev.era.launcher.ExecResult;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LauncherConfig;
import dev.era.launcher.QemuAccelerator;
import dev.era.launcher.QemuLauncher;
import dev.era.launcher.StartListener;
import dev.era.launcher.VmHandle;
import dev.era.launcher.VmSpec;
import dev.era.launcher.image.GuestImages;
import dev.era.launcher.qemu.QemuCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What QEMU holds beyond its guest's RAM when the guest uses all of it, for the memory a VM's pod
 * must request on top of the guest's. Run (from the repository root, after building as
 * docs/benchmarks.md says):
 *
 * <pre>
 * java -cp launcher/target/test-classes:launcher/target/classes:$(cat launcher/target/classpath.txt) \
 *     dev.era.launcher.bench.VmmOverheadBenchmark
 * </pre>
 *
 * Uses the accelerator the launcher's probe picks (KVM where it works, else TCG), and says which.
 * Each shape is cold-booted (its snapshot is deleted as soon as it is saved, so that no spare QEMU
 * with preallocated memory starts beside it), then runs two hostile commands: one that fills TCG's
 * translation cache, one that fills the guest's memory. Peak is QEMU's VmHWM, the kernel's own
 * high-water mark of its resident set.
 */
public final class VmmOverheadBenchmark {
  private static final List<Shape> SHAPES =
      List.of(new Shape(256, 1), new Shape(512, 1), new Shape(512, 2), new Shape(1024, 1));

  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP = Duration.ofSeconds(5);

  /**
   * Straight-line guest code, 8 MiB of {@code add [rsp-8], eax} (a load and a store, each an inline
   * TLB lookup in TCG's output: tens of host bytes per 4 guest bytes), run once: more than the
   * translation cache holds, so it fills to its bound. Same bytes at each address, yet each address
   * is a translation of its own.
   */
  private static final String FILL_TRANSLATION_CACHE =
      """
      import ctypes, mmap
      size = 8 << 20
      code = mmap.mmap(-1, size, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
      code.write(b"\\x01\\x44\\x24\\xf8" * (size // 4 - 1) + b"\\xc3")
      ctypes.CFUNCTYPE(None)(ctypes.addressof(ctypes.c_char.from_buffer(code)))()
      print(size >> 20)
      """;

  /**
   * Writes every page of 4 MiB chunks while MemAvailable stays above a margin (for the guest
   * kernel, the agent and this interpreter, so that nothing is OOM-killed), then reads the root
   * filesystem so that the page cache takes what free memory is left; prints what it holds and
   * waits a second, holding it, for the host to look.
   */
  private static final String FILL_MEMORY =
      """
      import os, time
      def meminfo(key):
          with open("/proc/meminfo") as f:
              for line in f:
                  if line.startswith(key + ":"):
                      return int(line.split()[1]) >> 10
      held = []
      while meminfo("MemAvailable") > %d + 4:
          chunk = bytearray(4 << 20)
          chunk[::4096] = b"\\x01" * (len(chunk) // 4096)
          held.append(chunk)
      for top, _, files in os.walk("/usr"):
          for name in files:
              try:
                  with open(os.path.join(top, name), "rb") as f:
                      while f.read(1 << 20):
                          pass
              except OSError:
                  pass
      print(len(held) * 4, meminfo("MemTotal"), flush=True)
      time.sleep(1)
      """;

  private static final int MARGIN_MIB = 24;

  /** The first line of a mapping in /proc/PID/smaps: its address range. */
  private static final Pattern MAPPING = Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

  /** Without a snapshot of its shape the launcher starts no spare QEMU (preallocated) beside it. */
  private static final StartListener DELETE_SNAPSHOT =
      new StartListener() {
        @Override
        public void snapshotDiscarded(String message) {
          throw new IllegalStateException(message);
        }

        @Override
        public void snapshotSaved(Path file, long bytes, Duration took) {
          try {
            Files.delete(file);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private VmmOverheadBenchmark() {}

  record Shape(int memoryMib, int vcpus) {}

  /**
   * One VM's figures, in MiB.
   *
   * @param heldMib anonymous memory the fill held in the guest
   * @param guestTotalMib the guest kernel's MemTotal
   * @param fullFileMib of the resident set while the guest was full, what maps files (QEMU's binary
   *     and libraries, the guest's kernel): shared by every VM on the host
   * @param translationCacheMib resident part of TCG's translation cache at the end (0 under KVM)
   */
  record Measurement(
      Shape shape,
      QemuAccelerator accelerator,
      long readyRssMib,
      long heldMib,
      long guestTotalMib,
      long fullRssMib,
      long fullFileMib,
      long translationCacheMib,
      long peakMib) {
    long overheadMib() {
      return peakMib - shape.memoryMib();
    }
  }

  public static void main(String[] args) throws Exception {
    new GuestImages(GuestImages.defaultCacheDir())
        .ensure(GuestLanguage.PYTHON, step -> System.out.println("image: " + step));
    Path stateDir = Files.createTempDirectory("era-overhead");
    Path snapshotCache = Files.createTempDirectory("era-overhead-snapshots");
    List<Measurement> results = new ArrayList<>();
    String accelerator;
    try (QemuLauncher launcher =
        new QemuLauncher(
            LauncherConfig.defaults().withStateDir(stateDir).withCacheDir(snapshotCache),
            new GuestImages(GuestImages.defaultCacheDir()))) {
      accelerator = launcher.accelerator() + " (" + launcher.acceleratorProbe().reason() + ")";
      for (Shape shape : SHAPES) {
        Measurement m = measure(launcher, shape);
        results.add(m);
        System.out.printf(
            "%d MiB, %d vCPU: guest held %d of %d MiB, VmHWM %d MiB%n",
            shape.memoryMib(), shape.vcpus(), m.heldMib(), m.guestTotalMib(), m.peakMib());
      }
    } finally {
      Files.deleteIfExists(stateDir.resolve("vms"));
      Files.deleteIfExists(stateDir);
      deleteTree(snapshotCache);
    }
    report(accelerator, results);
  }

  private static Measurement measure(QemuLauncher launcher, Shape shape) throws IOException {
    VmSpec spec =
        VmSpec.of("overhead-" + shape.memoryMib() + "-" + shape.vcpus(), GuestLanguage.PYTHON)
            .withMemoryMib(shape.memoryMib())
            .withVcpus(shape.vcpus());
    VmHandle vm = launcher.start(spec, DELETE_SNAPSHOT);
    try {
      long pid = vm.pid();
      long ready = statusMib(pid).get("VmRSS");
      check(vm.exec(python(FILL_TRANSLATION_CACHE)));
      AtomicReference<Map<String, Long>> full = new AtomicReference<>();
      ExecListener sampler =
          new ExecListener() {
            @Override
            public void onStdout(byte[] chunk) {
              // The command prints once its memory is full, then holds it for a second.
              if (full.get() == null) {
                full.set(statusMib(pid));
              }
            }

            @Override
            public void onStderr(byte[] chunk) {}
          };
      ExecResult filled =
          vm.start(python(FILL_MEMORY.formatted(MARGIN_MIB)), sampler).result().join();
      check(filled);
      String[] guest = filled.stdoutText().strip().split(" ");
      return new Measurement(
          shape,
          vm.accelerator(),
          ready,
          Long.parseLong(guest[0]),
          Long.parseLong(guest[1]),
          full.get().get("VmRSS"),
          full.get().get("RssFile"),
          translationCacheMib(pid),
          statusMib(pid).get("VmHWM"));
    } finally {
      vm.stop(STOP);
    }
  }

  private static void report(String accelerator, List<Measurement> results) throws IOException {
    System.out.printf("%naccelerator: %s%n", accelerator);
    System.out.printf(
        "machine: %d cores, %s; QEMU tb-size %d MiB under TCG%n%n",
        Runtime.getRuntime().availableProcessors(), cpuModel(), QemuCommand.TCG_TB_SIZE_MIB);
    System.out.println(
        "| guest MiB | vCPUs | accelerator | guest held (anon) / MemTotal MiB | RSS at ready MiB"
            + " | RSS full (of it file-backed) MiB | translation cache MiB | VmHWM MiB | overhead MiB"
            + " |");
    System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for (Measurement m : results) {
      System.out.printf(
          "| %d | %d | %s | %d / %d | %d | %d (%d) | %d | %d | %d |%n",
          m.shape().memoryMib(),
          m.shape().vcpus(),
          m.accelerator(),
          m.heldMib(),
          m.guestTotalMib(),
          m.readyRssMib(),
          m.fullRssMib(),
          m.fullFileMib(),
          m.translationCacheMib(),
          m.peakMib(),
          m.overheadMib());
    }
    long max = results.stream().mapToLong(Measurement::overheadMib).max().orElseThrow();
    System.out.printf(
        "%nmax overhead: %d MiB; recommended per-VM overhead (x1.2, up to a multiple of 32): %d"
            + " MiB%n",
        max, recommended(max));
    if (results.get(0).accelerator() == QemuAccelerator.TCG) {
      // KVM has no translation cache: the same figures without it, an estimate until measured.
      long withoutCache =
          results.stream()
              .mapToLong(m -> m.overheadMib() - m.translationCacheMib())
              .max()
              .orElseThrow();
      System.out.printf(
          "KVM estimate (not measured: overhead minus the translation cache): max %d MiB;"
              + " recommended %d MiB%n",
          withoutCache, recommended(withoutCache));
    }
  }

  /** The margin for what was not measured: +20%, rounded up to a multiple of 32 MiB. */
  private static long recommended(long overheadMib) {
    return (overheadMib * 12 / 10 + 31) / 32 * 32;
  }

  private static ExecRequest python(String program) {
    return ExecRequest.argv("python3", "-c", program).withTimeout(COMMAND_TIMEOUT);
  }

  private static void check(ExecResult result) {
    if (!result.succeeded()) {
      throw new IllegalStateException(
          "benchmark command failed: " + result.exitCode() + " " + result.stderrText());
    }
  }

  /** The sizes in /proc/PID/status (VmRSS, VmHWM, RssFile…) by name, in MiB. */
  private static Map<String, Long> statusMib(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .filter(line -> line.endsWith(" kB"))
          .collect(
              Collectors.toMap(
                  line -> line.substring(0, line.indexOf(':')),
                  line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024));
    } catch (IOException e) {
      throw new UncheckedIOException("QEMU (pid " + pid + ") is gone", e);
    }
  }

  /**
   * Resident size of QEMU's writable and executable mappings: TCG's code buffer is the only one
   * (mapped rwx, without split-wx), so this is 0 under KVM.
   */
  private static long translationCacheMib(long pid) throws IOException {
    long kib = 0;
    boolean executableAndWritable = false;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
      if (MAPPING.matcher(line).lookingAt()) {
        executableAndWritable = line.split(" ")[1].startsWith("rwx");
      } else if (executableAndWritable && line.startsWith("Rss:")) {
        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return kib / 1024;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  private static String cpuModel() throws IOException {
    return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
        .filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip())
        .findFirst()
        .orElse("unknown CPU");
  }
}
