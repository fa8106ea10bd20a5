package dev.era.operator;

import static dev.era.operator.TestCluster.readyNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Creates many EraVMs at once against the embedded API server and times how long the operator takes
 * to schedule them all, then measures the heap the operator holds. Not part of the test suite (its
 * name matches neither *Test nor *IT); run it with operator/benchmark.sh. Figures go to
 * target/benchmark.txt and docs/benchmarks.md.
 */
class SchedulingBenchmark {
  private static final int VMS = Integer.getInteger("era.bench.vms", 1000);
  private static final int NODES = 10;
  private static final String NS = "bench";

  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();
  static KubernetesClient client;

  @BeforeAll
  static void connect() {
    client = API.client();
  }

  @Test
  void scheduleAll() throws Exception {
    int cpuPerNode = (VMS + NODES - 1) / NODES;
    for (int i = 0; i < NODES; i++) {
      readyNode(client, "node-" + i, cpuPerNode, (cpuPerNode / 4 + 1) + "Gi");
    }
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(API.clientOf(Component.OPERATOR))
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false));
    EraControllers.register(
        operator,
        API.clientOf(Component.OPERATOR),
        EraOperatorConfig.defaults().withPlacement(EraOperatorConfig.PlacementMode.ledger),
        new SimpleMeterRegistry());
    operator.start();

    // Counted from a watch: polling lists of 1,000 VMs would load the API server being measured.
    Set<String> scheduled = ConcurrentHashMap.newKeySet();
    var watch =
        client
            .resources(EraVM.class)
            .inNamespace(NS)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, EraVM vm) {
                    if (vm.getStatus().getPhase() == EraVMPhase.Scheduled) {
                      scheduled.add(vm.getMetadata().getName());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    long start = System.nanoTime();
    var creators = Executors.newFixedThreadPool(16);
    for (int i = 0; i < VMS; i++) {
      String name = "vm-" + i;
      creators.submit(() -> TestCluster.createVm(client, NS, name, vm -> {}));
    }
    creators.shutdown();
    assertThat(creators.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> scheduled.size() == VMS);
    double seconds = (System.nanoTime() - start) / 1e9;
    watch.close();

    List<EraVM> vms = client.resources(EraVM.class).inNamespace(NS).list().getItems();
    assertThat(vms).allMatch(vm -> vm.getStatus().getPhase() == EraVMPhase.Scheduled);
    Map<String, Long> perNode =
        vms.stream()
            .collect(
                Collectors.groupingBy(vm -> vm.getStatus().getNodeName(), Collectors.counting()));
    assertThat(perNode.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(cpuPerNode));

    // The whole JVM: operator, embedded API server with its copy of every VM, and this client.
    long heap = heapAfterGc();
    operator.stop();
    String result =
        String.format(
            "vms=%d nodes=%d scheduled_in_s=%.2f heap_used_after_gc_mib=%.1f max_heap_mib=%.0f"
                + " cpus=%d%n",
            VMS,
            NODES,
            seconds,
            heap / 1048576.0,
            Runtime.getRuntime().maxMemory() / 1048576.0,
            Runtime.getRuntime().availableProcessors());
    System.out.print("BENCHMARK " + result);
    Files.writeString(Path.of("target", "benchmark.txt"), result);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
