package dev.era.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.ConditionTypes;
import dev.era.api.Era;
import dev.era.api.EraNode;
import dev.era.api.EraRun;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.NodeResources;
import dev.era.api.Reasons;
import dev.era.api.Times;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** Test helpers that play the cluster around the operator: node agents, users. */
public final class TestCluster {
  private TestCluster() {}

  /**
   * Removes every EraNode, then every EraVM and EraRun, so tests start from nothing. With the nodes
   * gone, the operator itself drops the finalizers of VMs that were placed (no agent will).
   */
  public static void clear(KubernetesClient client) {
    client.resources(EraNode.class).delete();
    await().until(() -> client.resources(EraNode.class).list().getItems().isEmpty());
    client.resources(EraRun.class).inAnyNamespace().delete();
    client.resources(EraVM.class).inAnyNamespace().delete();
    await()
        .untilAsserted(
            () -> {
              assertThat(client.resources(EraVM.class).inAnyNamespace().list().getItems())
                  .isEmpty();
              assertThat(client.resources(EraRun.class).inAnyNamespace().list().getItems())
                  .isEmpty();
            });
  }

  /** The message of the VM's Scheduled condition, empty while it has none. */
  public static String schedulingMessage(EraVM vm) {
    return vm.getStatus().condition(ConditionTypes.SCHEDULED).map(c -> c.getMessage()).orElse("");
  }

  /** Registers a node the way a node agent would: create, then report status. */
  public static EraNode readyNode(KubernetesClient client, String name, int cpu, String memory) {
    EraNode node = new EraNode();
    node.getMetadata().setName(name);
    EraNode created = client.resource(node).create();
    return reportNode(client, created, true, cpu, memory);
  }

  public static EraNode reportNode(
      KubernetesClient client, EraNode node, boolean ready, int cpu, String memory) {
    EraNode fresh = client.resources(EraNode.class).withName(node.getMetadata().getName()).get();
    fresh.getStatus().setCapacity(new NodeResources(cpu, memory));
    fresh.getStatus().setHeartbeat(Times.format(Instant.now()));
    fresh
        .getStatus()
        .setCondition(
            ConditionTypes.READY,
            ready,
            ready ? Reasons.AGENT_READY : Reasons.AGENT_STOPPED,
            "",
            Instant.now());
    return client.resource(fresh).updateStatus();
  }

  public static EraVM vm(String namespace, String name, Consumer<EraVM> customise) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace(namespace);
    customise.accept(vm);
    return vm;
  }

  public static EraVM createVm(
      KubernetesClient client, String namespace, String name, Consumer<EraVM> customise) {
    return client.resource(vm(namespace, name, customise)).create();
  }

  /**
   * An EraVM (not yet created) whose spec is the given YAML flow mapping, as a user would write it.
   */
  public static EraVM vmFromYaml(
      KubernetesClient client, String namespace, String name, String specYaml) {
    return fromYaml(client, EraVM.class, namespace, name, specYaml);
  }

  public static EraVM createVmFromYaml(
      KubernetesClient client, String namespace, String name, String specYaml) {
    return client.resource(vmFromYaml(client, namespace, name, specYaml)).create();
  }

  /**
   * An EraRun (not yet created) whose spec is the given YAML flow mapping, as a user would write
   * it.
   */
  public static EraRun runFromYaml(
      KubernetesClient client, String namespace, String name, String specYaml) {
    return fromYaml(client, EraRun.class, namespace, name, specYaml);
  }

  public static EraRun createRunFromYaml(
      KubernetesClient client, String namespace, String name, String specYaml) {
    return client.resource(runFromYaml(client, namespace, name, specYaml)).create();
  }

  private static <T extends HasMetadata> T fromYaml(
      KubernetesClient client, Class<T> kind, String namespace, String name, String specYaml) {
    return client
        .getKubernetesSerialization()
        .unmarshal(
            "apiVersion: "
                + Era.API_VERSION
                + "\nkind: "
                + HasMetadata.getKind(kind)
                + "\nmetadata: {name: "
                + name
                + ", namespace: "
                + namespace
                + "}\nspec: "
                + specYaml
                + "\n",
            kind);
  }

  /** Plays the node agent after teardown: reports it with the condition TornDown. */
  public static void agentReportsTornDown(KubernetesClient client, String namespace, String name) {
    retryingConflicts(
        () ->
            client
                .resources(EraVM.class)
                .inNamespace(namespace)
                .withName(name)
                .editStatus(
                    vm -> {
                      vm.getStatus()
                          .setCondition(
                              ConditionTypes.TORN_DOWN,
                              true,
                              Reasons.TORN_DOWN,
                              "removed from its node",
                              Instant.now());
                      return vm;
                    }));
  }

  public static void editSpec(
      KubernetesClient client, String namespace, String name, Consumer<EraVM> change) {
    retryingConflicts(
        () ->
            client
                .resources(EraVM.class)
                .inNamespace(namespace)
                .withName(name)
                .edit(
                    vm -> {
                      change.accept(vm);
                      return vm;
                    }));
  }

  public static EraVM getVm(KubernetesClient client, String namespace, String name) {
    return client.resources(EraVM.class).inNamespace(namespace).withName(name).get();
  }

  public static EraRun getRun(KubernetesClient client, String namespace, String name) {
    return client.resources(EraRun.class).inNamespace(namespace).withName(name).get();
  }

  /** Waits until the VM reaches the phase and returns it. */
  public static EraVM awaitPhase(
      KubernetesClient client, String namespace, String name, EraVMPhase phase) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              EraVM vm = getVm(client, namespace, name);
              return vm != null && vm.getStatus().getPhase() == phase;
            });
    return getVm(client, namespace, name);
  }

  /** Plays the node agent: writes an EraVM's status the way it would. */
  public static void agentSetsPhase(
      KubernetesClient client, String namespace, String name, EraVMPhase phase) {
    retryingConflicts(
        () ->
            client
                .resources(EraVM.class)
                .inNamespace(namespace)
                .withName(name)
                .editStatus(
                    vm -> {
                      vm.getStatus().setPhase(phase);
                      if (phase == EraVMPhase.Running) {
                        vm.getStatus().setBootedAt(Times.format(Instant.now()));
                      }
                      return vm;
                    }));
  }

  /** Repeats a read-modify-write that lost a race with the operator, as any client would. */
  public static void retryingConflicts(Runnable write) {
    await()
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(
            () -> {
              write.run();
              return true;
            });
  }

  /** Events recorded about an object, by reason. */
  public static List<Event> events(KubernetesClient client, String namespace, String objectName) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> objectName.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
