package dev.era.nodeagent.bench;

import static org.awaitility.Awaitility.await;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.launcher.GuestLanguage;
import dev.era.nodeagent.AgentCluster;
import dev.era.nodeagent.VmsAndRuns;
import dev.era.nodeagent.vm.VmSpecs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node agent's benchmark (docs/benchmarks.md, "Node agent"): the whole stack in one JVM
 * (embedded API server, operator, agent, real guests) as {@code era up} runs it.
 *
 * <pre>mvn -B -q -pl api,launcher,operator install -DskipTests
 * mvn -B -q -pl node-agent test-compile exec:exec@bench</pre>
 *
 * Times are taken from watch events (informers), so they include the API round trips a user sees.
 */
public final class AgentBenchmark {
  static final int VM_SAMPLES = 5;
  static final int RUN_SAMPLES = 10;
  static final int DENSITY = 10;
  static final int PRESSURE_VMS = 4;
  static final int PRESSURE_RUNS = 100;

  /** 100 runs share four single-vCPU TCG guests: far slower than one run alone. */
  static final Duration PRESSURE_WAIT = Duration.ofMinutes(10);

  private final KubernetesClient client;
  private final AgentCluster cluster;

  private final FirstReached<EraVM> vmsRunning =
      new FirstReached<>(vm -> vm.getStatus().getPhase() == EraVMPhase.Running);
  private final FirstReached<EraRun> runsFinished =
      new FirstReached<>(run -> run.getStatus().getPhase().isFinished());

  private AgentBenchmark(AgentCluster cluster) {
    this.cluster = cluster;
    this.client = cluster.client();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("era-agent-bench");
    // 10 one-vCPU VMs must fit on a small host: idle guests barely use a core.
    try (AgentCluster cluster =
        AgentCluster.start(
            dir, AgentCluster.testConfig().withCpuAllocationRatio(16), GuestLanguage.PYTHON)) {
      new AgentBenchmark(cluster).run();
    } finally {
      deleteTree(dir);
    }
    System.exit(0);
  }

  private void run() throws Exception {
    try (SharedIndexInformer<EraVM> vms =
            client.resources(EraVM.class).inNamespace(VmsAndRuns.NAMESPACE).inform(vmsRunning);
        SharedIndexInformer<EraRun> runs =
            client.resources(EraRun.class).inNamespace(VmsAndRuns.NAMESPACE).inform(runsFinished)) {
      List<Double> boots = bootSamples();
      List<Double> hellos = helloSamples();
      Density density = density();
      OutputPressure pressure = outputPressure();
      print(boots, hellos, density);
      print(pressure);
    }
  }

  /** EraVM create → Running, one VM at a time (each deleted before the next). */
  private List<Double> bootSamples() {
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < VM_SAMPLES; i++) {
      String name = "boot-" + i;
      long start = System.nanoTime();
      VmsAndRuns.createVm(client, name, "python", s -> {});
      seconds.add(vmsRunning.secondsFrom(start, name, VmsAndRuns.BOOT));
      delete(name);
    }
    return seconds;
  }

  /** EraRun create → Succeeded for a Python hello on a running VM. */
  private List<Double> helloSamples() {
    VmsAndRuns.createVm(client, "hello", "python", s -> {});
    VmsAndRuns.awaitVm(client, "hello", EraVMPhase.Running);
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < RUN_SAMPLES; i++) {
      String name = "hello-" + i;
      long start = System.nanoTime();
      VmsAndRuns.createRun(
          client, name, "hello", s -> s.setCommand(List.of("python3", "-c", "print('hello')")));
      seconds.add(runsFinished.secondsFrom(start, name, VmsAndRuns.BOOT));
      requireSucceeded(name);
    }
    delete("hello");
    return seconds;
  }

  record Density(double allRunningSeconds, long qemuRssKib, long jvmRssKib) {}

  /** Ten VMs created at once: time until all are Running, and what they take in memory. */
  private Density density() throws IOException {
    long start = System.nanoTime();
    List<String> names = createVms("dense-", DENSITY);
    double allRunning = 0;
    for (String name : names) {
      allRunning = Math.max(allRunning, vmsRunning.secondsFrom(start, name, VmsAndRuns.BOOT));
    }
    long qemuRss = 0;
    for (String name : names) {
      for (long pid : cluster.processesOf(VmSpecs.vmId(VmsAndRuns.getVm(client, name)))) {
        qemuRss += rssKib(Path.of("/proc", Long.toString(pid), "status"));
      }
    }
    long jvmRss = rssKib(Path.of("/proc/self/status"));
    names.forEach(this::delete);
    return new Density(allRunning, qemuRss, jvmRss);
  }

  record OutputPressure(long idleHeapMib, long inFlightHeapMib, long peakHeapMib, double seconds) {}

  /**
   * 100 runs at once across four VMs, each writing 2 MiB to stdout and to stderr over at least four
   * seconds: the heap that stays in use (after a GC) while all of them are running, beside the same
   * with the VMs idle, and the highest heap use seen (garbage included).
   */
  private OutputPressure outputPressure() throws InterruptedException {
    List<String> vms = createVms("out-", PRESSURE_VMS);
    vms.forEach(vm -> VmsAndRuns.awaitVm(client, vm, EraVMPhase.Running));
    long idle = retainedHeapMib();
    AtomicLong peak = new AtomicLong();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> peak.accumulateAndGet(heapUsedMib(), Math::max), 0, 50, TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < PRESSURE_RUNS; i++) {
      String name = "out-run-" + i;
      runs.add(name);
      VmsAndRuns.createRun(
          client,
          name,
          vms.get(i % PRESSURE_VMS),
          s ->
              s.setShell(
                  "for i in 1 2 3 4 5 6 7 8; do yes o | head -c 262144;"
                      + " yes e | head -c 262144 >&2; sleep 0.5; done"));
    }
    await()
        .atMost(VmsAndRuns.BOOT)
        .until(
            () ->
                runs.stream()
                    .allMatch(
                        r ->
                            VmsAndRuns.getRun(client, r).getStatus().getPhase()
                                == EraRunPhase.Running));
    long inFlight = retainedHeapMib();
    double seconds = 0;
    for (String run : runs) {
      seconds = Math.max(seconds, runsFinished.secondsFrom(start, run, PRESSURE_WAIT));
      requireSucceeded(run);
    }
    sampler.shutdownNow();
    vms.forEach(this::delete);
    return new OutputPressure(idle, inFlight, peak.get(), seconds);
  }

  /**
   * Creates {@code count} Python VMs named {@code prefix}0, {@code prefix}1, ...; returns the
   * names.
   */
  private List<String> createVms(String prefix, int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add(prefix + i);
      VmsAndRuns.createVm(client, prefix + i, "python", s -> {});
    }
    return names;
  }

  /** Fails the benchmark if a finished run did not succeed: its time would measure a failure. */
  private void requireSucceeded(String name) {
    EraRun run = VmsAndRuns.getRun(client, name);
    if (run.getStatus().getPhase() != EraRunPhase.Succeeded) {
      throw new IllegalStateException(
          "run "
              + name
              + " ended "
              + run.getStatus().getPhase()
              + ": "
              + run.getStatus().getMessage());
    }
  }

  private static long retainedHeapMib() {
    System.gc();
    return heapUsedMib();
  }

  private static long heapUsedMib() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
  }

  private void delete(String vm) {
    client.resource(VmsAndRuns.getVm(client, vm)).delete();
    await().atMost(VmsAndRuns.BOOT).until(() -> VmsAndRuns.getVm(client, vm) == null);
  }

  private static long rssKib(Path status) throws IOException {
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  private static void print(List<Double> boots, List<Double> hellos, Density density) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "EraVM create -> Running (python, 1 vCPU, 256Mi), %d samples: p50 %.2f s (%s)%n",
        boots.size(),
        median(boots),
        list(boots));
    System.out.printf(
        Locale.ROOT,
        "EraRun create -> Succeeded (python3 -c print('hello')), %d samples: p50 %.2f s (%s)%n",
        hellos.size(),
        median(hellos),
        list(hellos));
    System.out.printf(
        Locale.ROOT,
        "%d EraVMs created at once -> all Running: %.2f s; QEMU RSS %d MiB in all"
            + " (%d MiB per VM); this JVM (API server, operator, agent) %d MiB%n",
        DENSITY,
        density.allRunningSeconds(),
        density.qemuRssKib() / 1024,
        density.qemuRssKib() / 1024 / DENSITY,
        density.jvmRssKib() / 1024);
  }

  private static void print(OutputPressure pressure) {
    System.out.printf(
        Locale.ROOT,
        "%d runs at once on %d VMs, 2 MiB to stdout and 2 MiB to stderr each, all done in %.2f s:"
            + " heap in use after GC %d MiB with the VMs idle, %d MiB with every run in flight;"
            + " highest heap use seen %d MiB (garbage included), max heap %d MiB%n",
        PRESSURE_RUNS,
        PRESSURE_VMS,
        pressure.seconds(),
        pressure.idleHeapMib(),
        pressure.inFlightHeapMib(),
        pressure.peakHeapMib(),
        Runtime.getRuntime().maxMemory() / (1024 * 1024));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String list(List<Double> values) {
    return String.join(
        ", ", values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
