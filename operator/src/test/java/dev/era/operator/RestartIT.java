package dev.era.operator;

import static dev.era.operator.TestCluster.createVm;
import static dev.era.operator.TestCluster.readyNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator stopped halfway through placing a batch, and a fresh one started in its place (plain
 * java-operator-sdk, as the CLI runs it): every VM ends up placed exactly once, no node is
 * overcommitted, and what the first one placed is not written again.
 */
class RestartIT {
  private static final String NS = "restart";
  private static final int NODES = 3;
  private static final int CPU_PER_NODE = 10;

  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();
  static KubernetesClient client;

  @BeforeAll
  static void connect() {
    client = API.client();
  }

  private static Operator startOperator() {
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
    return operator;
  }

  private static List<EraVM> vms() {
    return client.resources(EraVM.class).inNamespace(NS).list().getItems();
  }

  private static long scheduled() {
    return vms().stream().filter(vm -> vm.getStatus().getPhase() == EraVMPhase.Scheduled).count();
  }

  @Test
  void aRestartMidwayPlacesEveryVmOnce() {
    for (int i = 0; i < NODES; i++) {
      readyNode(client, "node-" + i, CPU_PER_NODE, "64Gi");
    }
    // Every node a VM was ever seen on, as the API server reported it.
    Map<String, Set<String>> nodesSeen = new ConcurrentHashMap<>();
    var watch =
        client
            .resources(EraVM.class)
            .inNamespace(NS)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, EraVM vm) {
                    if (vm.getStatus().getNodeName() != null) {
                      nodesSeen
                          .computeIfAbsent(
                              vm.getMetadata().getName(), k -> ConcurrentHashMap.newKeySet())
                          .add(vm.getStatus().getNodeName());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });

    int capacity = NODES * CPU_PER_NODE;
    Operator first = startOperator();
    for (int i = 0; i < capacity; i++) {
      createVm(client, NS, "vm-" + i, vm -> {});
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> scheduled() >= capacity / 3);
    first.stop();
    Map<String, String> placedByFirst =
        vms().stream()
            .filter(vm -> vm.getStatus().getPhase() == EraVMPhase.Scheduled)
            .collect(
                Collectors.toMap(
                    vm -> vm.getMetadata().getName(), vm -> vm.getMetadata().getResourceVersion()));

    Operator second = startOperator();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> scheduled() == capacity);
      // The cluster is full now: one more VM must not fit anywhere.
      createVm(client, NS, "one-too-many", vm -> {});
      await()
          .until(
              () ->
                  vms().stream()
                      .filter(vm -> vm.getMetadata().getName().equals("one-too-many"))
                      .anyMatch(
                          vm ->
                              vm.getStatus()
                                  .isFalseBecause(
                                      ConditionTypes.SCHEDULED, Reasons.UNSCHEDULABLE)));

      List<EraVM> vms = vms();
      assertThat(vms)
          .filteredOn(vm -> vm.getStatus().getNodeName() != null)
          .hasSize(capacity)
          .allSatisfy(
              vm ->
                  assertThat(vm.getMetadata().getLabels())
                      .containsEntry(Labels.NODE, vm.getStatus().getNodeName()));
      assertThat(nodesSeen)
          .hasSize(capacity)
          .allSatisfy((name, nodes) -> assertThat(nodes).as(name).hasSize(1));
      Map<String, Long> perNode =
          vms.stream()
              .filter(vm -> vm.getStatus().getNodeName() != null)
              .collect(
                  Collectors.groupingBy(vm -> vm.getStatus().getNodeName(), Collectors.counting()));
      assertThat(perNode.values()).allSatisfy(n -> assertThat(n).isEqualTo(CPU_PER_NODE));
      assertThat(placedByFirst)
          .isNotEmpty()
          .allSatisfy(
              (name, version) ->
                  assertThat(
                          vms.stream()
                              .filter(vm -> vm.getMetadata().getName().equals(name))
                              .findFirst()
                              .orElseThrow()
                              .getMetadata()
                              .getResourceVersion())
                      .as("%s written again after the restart", name)
                      .isEqualTo(version));
    } finally {
      second.stop();
      watch.close();
    }
  }
}
