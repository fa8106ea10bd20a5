package dev.era.operator;

import static dev.era.operator.TestCluster.createVm;
import static dev.era.operator.TestCluster.events;
import static dev.era.operator.TestCluster.getVm;
import static dev.era.operator.TestCluster.readyNode;
import static dev.era.operator.TestCluster.schedulingMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.Accelerator;
import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Labels;
import dev.era.api.PoolNodeShare;
import dev.era.api.Reasons;
import dev.era.api.ReservationPods;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.AdminClient;
import dev.era.apiserver.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Placement through reservation pods, with the test playing kube-scheduler: the embedded API server
 * stores pods but nothing schedules or runs them.
 */
@QuarkusTest
@TestProfile(ReservationPodsIT.Pods.class)
@WithEmbeddedApiServer(Component.OPERATOR)
class ReservationPodsIT {
  @AdminClient KubernetesClient client;

  public static class Pods implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("era.operator.placement", "pods");
    }
  }

  @BeforeEach
  void startEmpty() {
    TestCluster.clear(client);
    client.pods().inAnyNamespace().delete();
  }

  private Pod awaitPod(String namespace, String name) {
    await().until(() -> client.pods().inNamespace(namespace).withName(name).get() != null);
    return client.pods().inNamespace(namespace).withName(name).get();
  }

  @Test
  void aVmGoesWhereKubeSchedulerBindsItsPodAndGetsANewPodWhenItsPodIsGone() {
    readyNode(client, "node-1", 8, "8Gi");
    client
        .resources(EraNode.class)
        .withName("node-1")
        .editStatus(
            n -> {
              n.getStatus().setAccelerator(Accelerator.kvm);
              return n;
            });
    String ns = "bind";
    EraVM vm =
        createVm(
            client,
            ns,
            "a",
            v -> {
              v.getSpec().setCpu(2);
              v.getSpec().setMemory("512Mi");
            });

    Pod pod = awaitPod(ns, "era-vm-a");
    Map<String, Quantity> resources =
        Map.of(
            "cpu",
            new Quantity("2"),
            "memory",
            new Quantity((512 + EraOperatorConfig.defaults().vmmOverheadKvm()) + "Mi"),
            EraOperatorConfig.DEFAULT_KVM_DEVICE_RESOURCE,
            new Quantity("1"));
    var container = pod.getSpec().getContainers().get(0);
    assertThat(container.getResources().getRequests()).isEqualTo(resources);
    assertThat(container.getResources().getLimits()).isEqualTo(resources);
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(vm.getMetadata().getUid()));
    assertThat(pod.getMetadata().getLabels())
        .containsEntry(ReservationPods.VM_UID_LABEL, vm.getMetadata().getUid());
    await()
        .untilAsserted(
            () -> {
              EraVM waiting = getVm(client, ns, "a");
              assertThat(waiting.getMetadata().getAnnotations())
                  .containsEntry(ReservationPods.ANNOTATION, "era-vm-a");
              assertThat(waiting.getStatus().getPhase()).isEqualTo(EraVMPhase.Pending);
              assertThat(
                      waiting
                          .getStatus()
                          .isFalseBecause(ConditionTypes.SCHEDULED, Reasons.WAITING_FOR_SCHEDULER))
                  .isTrue();
            });

    bind(ns, "era-vm-a", "node-1");
    await()
        .untilAsserted(
            () -> {
              EraVM placed = getVm(client, ns, "a");
              assertThat(placed.getStatus().getPhase()).isEqualTo(EraVMPhase.Scheduled);
              assertThat(placed.getStatus().getNodeName()).isEqualTo("node-1");
              assertThat(placed.getMetadata().getLabels()).containsEntry(Labels.NODE, "node-1");
              assertThat(placed.getStatus().isTrue(ConditionTypes.SCHEDULED)).isTrue();
            });
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, ns, "a"))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo(Reasons.SCHEDULED);
                          assertThat(e.getMessage()).isEqualTo("Placed on node node-1");
                        }));

    client.pods().inNamespace(ns).withName("era-vm-a").delete();
    await()
        .untilAsserted(
            () -> {
              Pod next = client.pods().inNamespace(ns).withName("era-vm-a").get();
              assertThat(next).isNotNull();
              assertThat(next.getMetadata().getUid()).isNotEqualTo(pod.getMetadata().getUid());
              assertThat(next.getSpec().getNodeName()).isNull();
              EraVM moved = getVm(client, ns, "a");
              assertThat(moved.getStatus().getPhase()).isEqualTo(EraVMPhase.Pending);
              assertThat(moved.getStatus().getNodeName()).isNull();
              assertThat(moved.getMetadata().getLabels()).doesNotContainKey(Labels.NODE);
            });
    assertThat(events(client, ns, "a"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo(Reasons.RESCHEDULED);
              assertThat(e.getMessage()).contains("reservation pod era-vm-a is gone");
            });
  }

  @Test
  void theSchedulersVerdictShowsOnTheVm() {
    String ns = "verdict";
    createVm(client, ns, "b", v -> {});
    awaitPod(ns, "era-vm-b");
    String verdict = "0/3 nodes are available: 3 Insufficient memory.";

    client
        .pods()
        .inNamespace(ns)
        .withName("era-vm-b")
        .editStatus(
            p -> {
              p.setStatus(
                  new PodStatusBuilder()
                      .withPhase("Pending")
                      .addNewCondition()
                      .withType("PodScheduled")
                      .withStatus("False")
                      .withReason("Unschedulable")
                      .withMessage(verdict)
                      .endCondition()
                      .build());
              return p;
            });

    await()
        .untilAsserted(
            () -> {
              EraVM vm = getVm(client, ns, "b");
              assertThat(vm.getStatus().getPhase()).isEqualTo(EraVMPhase.Pending);
              assertThat(
                      vm.getStatus()
                          .isFalseBecause(ConditionTypes.SCHEDULED, Reasons.UNSCHEDULABLE))
                  .isTrue();
              assertThat(schedulingMessage(vm)).isEqualTo(verdict);
            });
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, ns, "b"))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo(Reasons.UNSCHEDULABLE);
                          assertThat(e.getMessage()).isEqualTo(verdict);
                        }));
  }

  @Test
  void aPodOfTheSameNameThatIsNotTheVmsIsNotAdopted() {
    String ns = "foreign";
    client
        .pods()
        .inNamespace(ns)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("era-vm-c")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example")
                .endContainer()
                .endSpec()
                .build())
        .create();

    createVm(client, ns, "c", v -> {});

    await()
        .untilAsserted(
            () -> {
              EraVM vm = getVm(client, ns, "c");
              assertThat(
                      vm.getStatus()
                          .isFalseBecause(
                              ConditionTypes.SCHEDULED, Reasons.RESERVATION_POD_CONFLICT))
                  .isTrue();
              assertThat(schedulingMessage(vm)).contains("pod era-vm-c exists");
            });
    assertThat(
            client
                .pods()
                .inNamespace(ns)
                .withName("era-vm-c")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .isEmpty();
  }

  /**
   * A pool keeps a warm pod per guest; the nodes its pods are bound to are its shares; a VM of the
   * pool takes over a bound one (which becomes its reservation pod), and the pool makes another.
   */
  @Test
  void aPoolKeepsWarmPodsAndAVmOfThePoolTakesOneOver() {
    readyNode(client, "node-1", 8, "8Gi");
    String ns = "warm";
    EraPool pool = new EraPool();
    pool.getMetadata().setName("py");
    pool.getMetadata().setNamespace(ns);
    pool.getSpec().setReplicas(2);
    pool.getSpec().getTemplate().setMemory("256Mi");
    String poolUid = client.resource(pool).create().getMetadata().getUid();

    await()
        .untilAsserted(
            () -> {
              assertThat(warmPods(ns, poolUid)).hasSize(2);
              assertThat(pool(ns, "py").getMetadata().getAnnotations())
                  .containsEntry(ReservationPods.WARM_PODS_ANNOTATION, "true");
            });
    Pod warm = warmPods(ns, poolUid).get(0);
    assertThat(warm.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(poolUid));
    bind(ns, warm.getMetadata().getName(), "node-1");
    await()
        .untilAsserted(
            () ->
                assertThat(pool(ns, "py").getStatus().getNodes())
                    .containsExactly(new PoolNodeShare("node-1", 1)));

    EraVM vm =
        createVm(
            client,
            ns,
            "from-pool",
            v -> {
              v.getSpec().setPool("py");
              v.getSpec().setMemory("256Mi");
            });

    await()
        .untilAsserted(
            () -> {
              EraVM placed = getVm(client, ns, "from-pool");
              assertThat(placed.getMetadata().getAnnotations())
                  .containsEntry(ReservationPods.ANNOTATION, warm.getMetadata().getName());
              assertThat(placed.getStatus().getNodeName()).isEqualTo("node-1");
              assertThat(placed.getStatus().getPhase()).isEqualTo(EraVMPhase.Scheduled);
            });
    Pod taken = client.pods().inNamespace(ns).withName(warm.getMetadata().getName()).get();
    assertThat(taken.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(vm.getMetadata().getUid()));
    assertThat(taken.getMetadata().getLabels())
        .containsEntry(ReservationPods.VM_UID_LABEL, vm.getMetadata().getUid())
        .doesNotContainKey(ReservationPods.POOL_UID_LABEL);
    assertThat(client.pods().inNamespace(ns).withName("era-vm-from-pool").get())
        .as("no pod made for the VM")
        .isNull();
    await()
        .untilAsserted(
            () ->
                assertThat(warmPods(ns, poolUid))
                    .as("the pool's warm pods, one made for the one taken")
                    .hasSize(2)
                    .noneMatch(
                        p -> p.getMetadata().getName().equals(warm.getMetadata().getName())));
  }

  private EraPool pool(String namespace, String name) {
    return client.resources(EraPool.class).inNamespace(namespace).withName(name).get();
  }

  private List<Pod> warmPods(String namespace, String poolUid) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(ReservationPods.POOL_UID_LABEL, poolUid)
        .list()
        .getItems();
  }

  /** Plays kube-scheduler's binding. */
  private void bind(String namespace, String pod, String node) {
    client
        .pods()
        .inNamespace(namespace)
        .withName(pod)
        .edit(
            p -> {
              p.getSpec().setNodeName(node);
              return p;
            });
  }
}
