package dev.era.launcher.bench;

import dev.era.launcher.ExecRequest;
import dev.era.launcher.ExecResult;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LauncherConfig;
import dev.era.launcher.QemuLauncher;
import dev.era.launcher.StartKind;
import dev.era.launcher.StartListener;
import dev.era.launcher.VmHandle;
import dev.era.launcher.VmSpec;
import dev.era.launcher.image.GuestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Launcher figures for docs/benchmarks.md. Run (from the repository root):
 *
 * <pre>
 * mvn -B -q -pl launcher test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.era.launcher.bench.LauncherBench
 * </pre>
 *
 * Boots Python guests only (the image every host has); images are built first if missing, outside
 * the clock.
 */
public final class LauncherBench {
  private static final int BOOTS = 10;
  private static final int EXECS = 30;
  private static final int WARMUP = 3;
  private static final int PARALLEL = 10;
  private static final Duration STOP = Duration.ofSeconds(5);

  private LauncherBench() {}

  public static void main(String[] args) throws Exception {
    new GuestImages(GuestImages.defaultCacheDir())
        .ensure(GuestLanguage.PYTHON, step -> System.out.println("image: " + step));
    Path stateDir = Files.createTempDirectory("era-bench");
    Path snapshotCache = Files.createTempDirectory("era-bench-snapshots");
    String loadBefore = loadAverage();
    List<String[]> rows = new ArrayList<>();
    try (QemuLauncher launcher =
        new QemuLauncher(
            LauncherConfig.defaults().withStateDir(stateDir).withCacheDir(snapshotCache),
            new GuestImages(GuestImages.defaultCacheDir()))) {
      launcher.accelerator();

      List<Double> boots = new ArrayList<>();
      List<Double> saves = new ArrayList<>();
      long[] snapshotBytes = {0};
      for (int i = 0; i < BOOTS; i++) {
        Duration[] saved = {null};
        StartListener listener =
            new StartListener() {
              @Override
              public void snapshotDiscarded(String message) {
                throw new IllegalStateException(message);
              }

              @Override
              public void snapshotSaved(Path file, long bytes, Duration took) {
                saved[0] = took;
                snapshotBytes[0] = bytes;
                try {
                  Files.delete(file); // the next start cold-boots too
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
            };
        long start = System.nanoTime();
        VmHandle vm = launcher.start(VmSpec.of("bench-boot-" + i, GuestLanguage.PYTHON), listener);
        double total = millisSince(start);
        expect(vm, StartKind.COLD_BOOT);
        boots.add(total - saved[0].toNanos() / 1e6);
        saves.add(saved[0].toNanos() / 1e6);
        vm.stop(STOP);
      }
      rows.add(
          row(
              "cold boot to ready, p50 (" + BOOTS + " boots; the snapshot save after it excluded)",
              percentile(boots, 50),
              "ms",
              "<= 1200"));
      rows.add(row("cold boot to ready, p90", percentile(boots, 90), "ms", ""));
      rows.add(row("snapshot save (pause, write, resume), p50", percentile(saves, 50), "ms", ""));
      rows.add(row("snapshot size (256 MiB guest)", snapshotBytes[0] / 1048576.0, "MiB", ""));

      launcher.start(VmSpec.of("bench-template", GuestLanguage.PYTHON)).stop(STOP);
      List<Double> restores = new ArrayList<>();
      for (int i = 0; i < BOOTS; i++) {
        long start = System.nanoTime();
        VmHandle vm = launcher.start(VmSpec.of("bench-restore-" + i, GuestLanguage.PYTHON));
        restores.add(millisSince(start));
        expect(vm, StartKind.SNAPSHOT_RESTORE);
        vm.stop(STOP);
      }
      rows.add(
          row(
              "snapshot restore to ready, p50 (" + BOOTS + " starts)",
              percentile(restores, 50),
              "ms",
              ""));
      rows.add(row("snapshot restore to ready, p90", percentile(restores, 90), "ms", ""));

      VmHandle vm =
          launcher.start(VmSpec.of("bench-exec", GuestLanguage.PYTHON).withMemoryMib(256));
      Thread.sleep(2000); // let the guest settle before measuring idle memory
      long idleRss = rssKib(vm.pid());
      List<Double> trues = time(() -> vm.exec(ExecRequest.argv("true")));
      List<Double> prints = time(() -> vm.exec(ExecRequest.argv("python3", "-c", "print(1)")));
      long busyRss = rssKib(vm.pid());
      vm.stop(STOP);
      rows.add(
          row(
              "exec `true` round trip, p50 (" + EXECS + " runs)",
              percentile(trues, 50),
              "ms",
              "<= 20"));
      rows.add(row("exec `true` round trip, p90", percentile(trues, 90), "ms", ""));
      rows.add(
          row(
              "exec `python3 -c 'print(1)'`, p50 (" + EXECS + " runs)",
              percentile(prints, 50),
              "ms",
              "<= 120"));
      rows.add(row("exec `python3 -c 'print(1)'`, p90", percentile(prints, 90), "ms", ""));
      rows.add(row("RSS of an idle 256 MiB VM (VmRSS)", idleRss / 1024.0, "MiB", "<= 256"));
      rows.add(
          row(
              "RSS after the " + 2 * (EXECS + WARMUP) + " execs above",
              busyRss / 1024.0,
              "MiB",
              ""));

      rows.add(
          row(
              PARALLEL + " VMs started at once (restored), all ready",
              parallelBoot(launcher),
              "ms",
              "<= 15000"));

      System.out.println();
      System.out.printf(
          "accelerator: %s (%s)%n", launcher.accelerator(), launcher.acceleratorProbe().reason());
    } finally {
      Files.deleteIfExists(stateDir.resolve("vms"));
      Files.deleteIfExists(stateDir);
      deleteTree(snapshotCache);
    }
    System.out.printf(
        "machine: %d cores, %s; load average before %s, after %s%n%n",
        Runtime.getRuntime().availableProcessors(), cpuModel(), loadBefore, loadAverage());
    System.out.println("| measurement | value | target |");
    System.out.println("|---|---:|---|");
    for (String[] r : rows) {
      System.out.printf("| %s | %s | %s |%n", r[0], r[1], r[2]);
    }
  }

  private static double parallelBoot(QemuLauncher launcher) {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      long start = System.nanoTime();
      List<CompletableFuture<VmHandle>> vms = new ArrayList<>();
      for (int i = 0; i < PARALLEL; i++) {
        VmSpec spec = VmSpec.of("bench-par-" + i, GuestLanguage.PYTHON);
        vms.add(CompletableFuture.supplyAsync(() -> launcher.start(spec), pool));
      }
      CompletableFuture.allOf(vms.toArray(CompletableFuture[]::new)).join();
      double elapsed = millisSince(start);
      vms.forEach(vm -> vm.join().stop(STOP));
      return elapsed;
    } finally {
      pool.shutdown();
    }
  }

  private static void expect(VmHandle vm, StartKind kind) {
    if (vm.startKind() != kind) {
      throw new IllegalStateException(vm.id() + " started as " + vm.startKind() + ", not " + kind);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  private static List<Double> time(Supplier<ExecResult> exec) {
    for (int i = 0; i < WARMUP; i++) {
      check(exec.get());
    }
    List<Double> samples = new ArrayList<>();
    for (int i = 0; i < EXECS; i++) {
      long start = System.nanoTime();
      ExecResult result = exec.get();
      samples.add(millisSince(start));
      check(result);
    }
    return samples;
  }

  private static void check(ExecResult result) {
    if (!result.succeeded()) {
      throw new IllegalStateException(
          "benchmark command failed: " + result.exitCode() + " " + result.stderrText());
    }
  }

  private static String[] row(String what, double value, String unit, String target) {
    return new String[] {
      what,
      String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, unit),
      target.isEmpty() ? "" : target + " " + unit
    };
  }

  private static double percentile(List<Double> samples, int p) {
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  private static double millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  private static long rssKib(long pid) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^VmRSS:\\s+([0-9]+) kB")
            .matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
    if (!m.find()) {
      throw new IllegalStateException("no VmRSS for pid " + pid);
    }
    return Long.parseLong(m.group(1));
  }

  private static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }

  private static String cpuModel() throws IOException {
    return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
        .filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip())
        .findFirst()
        .orElse("unknown CPU");
  }
}
