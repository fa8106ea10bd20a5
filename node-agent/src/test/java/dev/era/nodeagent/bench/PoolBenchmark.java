package dev.era.nodeagent.bench;

import static org.awaitility.Awaitility.await;

import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMSpec;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.image.GuestImages;
import dev.era.nodeagent.AgentCluster;
import dev.era.nodeagent.VmsAndRuns;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Warm pools against cold boots (docs/benchmarks.md, "Warm pools"), the whole stack in one JVM as
 * {@code era up} runs it: EraVM create → Running (seen by an informer, so with the API round trips
 * a user sees) booting from the kernel, restoring a snapshot with no pool, and from a full pool,
 * one VM at a time (256 MiB guests, but for the cold boots' own shapes), then 50 VMs created at
 * once against a pool of 20 (128 MiB guests, so that the 70 guests, refills included, fit in a
 * shared 24 GiB host's memory).
 *
 * <pre>mvn -B -q -pl node-agent test-compile exec:exec@bench-pools</pre>
 */
public final class PoolBenchmark {
  static final int SAMPLES = 20;

  /** Cold boots: a shape each (its memory, from a random base) that has no snapshot yet. */
  static final int COLD_SAMPLES = 5;

  static final int POOL = 4;
  static final String STORM_MEMORY = "128Mi";
  static final int STORM_POOL = 20;
  static final int STORM_CLAIMS = 50;
  static final Duration STORM_WAIT = Duration.ofMinutes(20);

  /**
   * Between samples without a pool: long enough for the launcher's spare QEMU of the shape (started
   * after each restore, its memory faulted in) to be ready, as it is for a VM that does not follow
   * another within half a second. The storm shows VMs that do.
   */
  static final Duration DRY_GAP = Duration.ofSeconds(1);

  private final KubernetesClient client;

  private final FirstReached<EraVM> running =
      new FirstReached<>(vm -> vm.getStatus().getPhase() == EraVMPhase.Running);

  private PoolBenchmark(KubernetesClient client) {
    this.client = client;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("era-pool-bench");
    // 70 one-vCPU guests must fit on a small host: idle guests barely use a core.
    try (AgentCluster cluster =
        AgentCluster.start(
            dir, AgentCluster.testConfig().withCpuAllocationRatio(64), GuestLanguage.PYTHON)) {
      new PoolBenchmark(cluster.client()).run();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
    System.exit(0);
  }

  private void run() throws Exception {
    try (SharedIndexInformer<EraVM> vms =
        client.resources(EraVM.class).inNamespace(VmsAndRuns.NAMESPACE).inform(running)) {
      List<Double> boots = coldBoots();
      List<Double> cold = samples("cold-", null);
      createPool("bench", POOL, EraVMSpec.DEFAULT_MEMORY);
      List<Double> warm = samples("warm-", POOL);
      client.resource(pool("bench")).delete();
      createPool("storm", STORM_POOL, STORM_MEMORY);
      awaitReady("storm", STORM_POOL, STORM_WAIT);
      List<Double> storm = storm();
      print("cold boot (a shape with no snapshot yet)", boots);
      print("no pool (a snapshot restore once the shape has one)", cold);
      print("warm pool of " + POOL + ", refilled between samples", warm);
      print(
          STORM_CLAIMS + " created at once against a pool of " + STORM_POOL + ", " + STORM_MEMORY,
          storm);
    }
  }

  /**
   * One VM at a time, deleted before the next; with a pool, each sample starts from a full pool and
   * must have been bound to a warm guest; without, {@link #DRY_GAP} after the last.
   */
  private List<Double> samples(String prefix, Integer pool) throws InterruptedException {
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      if (pool != null) {
        awaitReady("bench", pool, VmsAndRuns.BOOT);
      } else {
        Thread.sleep(DRY_GAP.toMillis());
      }
      String name = prefix + i;
      long start = System.nanoTime();
      createVm(name, pool != null ? "bench" : null, EraVMSpec.DEFAULT_MEMORY);
      seconds.add(running.secondsFrom(start, name, VmsAndRuns.BOOT));
      if (pool != null && VmsAndRuns.getVm(client, name).getStatus().getWarmGuest() == null) {
        throw new IllegalStateException(name + " booted instead of taking a warm guest");
      }
      client.resource(VmsAndRuns.getVm(client, name)).delete();
    }
    return seconds;
  }

  /**
   * VMs that boot from their kernel, for comparison: each of a shape with no snapshot; the
   * snapshots their boots save are removed afterwards, so that the user's cache does not keep them.
   */
  private List<Double> coldBoots() throws IOException {
    Path snapshots = GuestImages.defaultCacheDir().resolve("snapshots");
    Set<Path> before = snapshotFiles(snapshots);
    int baseMib = 300 + new Random().nextInt(400);
    List<Double> seconds = new ArrayList<>();
    try {
      for (int i = 0; i < COLD_SAMPLES; i++) {
        String name = "boot-" + i;
        long start = System.nanoTime();
        createVm(name, null, (baseMib + i) + "Mi");
        seconds.add(running.secondsFrom(start, name, VmsAndRuns.BOOT));
        EraVM vm = VmsAndRuns.getVm(client, name);
        if (!vm.getStatus().getMessage().startsWith("booted")) {
          throw new IllegalStateException(
              name + " did not boot from its kernel: " + vm.getStatus().getMessage());
        }
        client.resource(vm).delete();
      }
    } finally {
      for (Path file : snapshotFiles(snapshots)) {
        if (!before.contains(file)) {
          Files.deleteIfExists(file);
        }
      }
    }
    return seconds;
  }

  private static Set<Path> snapshotFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.collect(Collectors.toSet());
    }
  }

  private List<Double> storm() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < STORM_CLAIMS; i++) {
      names.add("storm-" + i);
    }
    Map<String, Long> starts = new ConcurrentHashMap<>();
    ExecutorService threads = Executors.newFixedThreadPool(STORM_CLAIMS);
    List<Future<?>> creations = new ArrayList<>();
    for (String name : names) {
      creations.add(
          threads.submit(
              () -> {
                starts.put(name, System.nanoTime());
                createVm(name, "storm", STORM_MEMORY);
              }));
    }
    for (Future<?> creation : creations) {
      creation.get();
    }
    threads.shutdown();
    List<Double> seconds = new ArrayList<>();
    List<Double> handedOver = new ArrayList<>();
    List<Double> booted = new ArrayList<>();
    List<String> guests = new ArrayList<>();
    for (String name : names) {
      double time = running.secondsFrom(starts.get(name), name, STORM_WAIT);
      seconds.add(time);
      String guest = VmsAndRuns.getVm(client, name).getStatus().getWarmGuest();
      if (guest != null) {
        guests.add(guest);
        handedOver.add(time);
      } else {
        booted.add(time);
      }
    }
    if (guests.stream().distinct().count() != guests.size()) {
      throw new IllegalStateException("a warm guest was bound twice: " + guests);
    }
    print("storm, bound to a warm guest (all distinct)", handedOver);
    print("storm, booted (the pool was dry)", booted);
    return seconds;
  }

  private void createVm(String name, String pool, String memory) {
    VmsAndRuns.createVm(
        client,
        name,
        "python",
        s -> {
          s.setPool(pool);
          s.setMemory(memory);
        });
  }

  private void createPool(String name, int replicas, String memory) {
    EraPool pool = new EraPool();
    pool.getMetadata().setName(name);
    pool.getMetadata().setNamespace(VmsAndRuns.NAMESPACE);
    pool.getSpec().setReplicas(replicas);
    pool.getSpec().getTemplate().setMemory(memory);
    client.resource(pool).create();
  }

  private EraPool pool(String name) {
    return client.resources(EraPool.class).inNamespace(VmsAndRuns.NAMESPACE).withName(name).get();
  }

  private void awaitReady(String pool, int ready, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Integer now = pool(pool).getStatus().getReady();
              return now != null && now == ready;
            });
  }

  private static void print(String what, List<Double> seconds) {
    if (seconds.isEmpty()) {
      System.out.println("EraVM create -> Running, " + what + ": no samples");
      return;
    }
    List<Double> sorted = seconds.stream().sorted().toList();
    System.out.printf(
        Locale.ROOT,
        "EraVM create -> Running, %s, %d samples: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        what,
        sorted.size(),
        percentile(sorted, 50) * 1000,
        percentile(sorted, 99) * 1000,
        sorted.get(sorted.size() - 1) * 1000);
  }

  /** Nearest rank. */
  private static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
