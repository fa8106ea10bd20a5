package dev.era.operator.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.Accelerator;
import dev.era.api.ConditionTypes;
import dev.era.api.Era;
import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.ReservationPods;
import dev.era.operator.EraOperatorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReservationPodSpecTest {
  private static final EraOperatorConfig CONFIG = EraOperatorConfig.defaults();
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";
  private static final String KVM_DEVICE = EraOperatorConfig.DEFAULT_KVM_DEVICE_RESOURCE;

  private static EraVM vm(String name) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace("team");
    vm.getMetadata().setUid("0d3c1c52-5b8e-4b5e-9d7a-4b0e5b3a9f10");
    vm.getSpec().setCpu(2);
    vm.getSpec().setMemory("1Gi");
    return vm;
  }

  private static Container container(Pod pod) {
    assertThat(pod.getSpec().getContainers()).hasSize(1);
    return pod.getSpec().getContainers().get(0);
  }

  private static NodeAffinity affinity(Pod pod) {
    return pod.getSpec().getAffinity().getNodeAffinity();
  }

  @Test
  void thePodCarriesTheVmsOwnLabelsForNetworkPolicies() {
    EraVM vm = vm("box");
    vm.getMetadata().setLabels(Map.of("team", "search", "era.dev/node", "n1"));

    Pod pod = ReservationPodSpec.of(vm, Accelerator.tcg, TOKEN, CONFIG);

    assertThat(pod.getMetadata().getLabels())
        .containsEntry("team", "search")
        .containsEntry(ReservationPods.VM_UID_LABEL, vm.getMetadata().getUid())
        .doesNotContainKey("era.dev/node");
  }

  @Test
  void kvmPodHoldsTheVmWithItsOverheadAndTheKvmDevice() {
    Pod pod = ReservationPodSpec.of(vm("box"), Accelerator.kvm, TOKEN, CONFIG);

    Map<String, Quantity> expected =
        Map.of(
            "cpu",
            new Quantity("2"),
            "memory",
            new Quantity((1024 + CONFIG.vmmOverheadKvm()) + "Mi"),
            KVM_DEVICE,
            new Quantity("1"));
    assertThat(container(pod).getResources().getRequests()).isEqualTo(expected);
    assertThat(container(pod).getResources().getLimits()).isEqualTo(expected);
    assertThat(
            affinity(pod)
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms())
        .singleElement()
        .satisfies(
            term -> {
              assertThat(term.getMatchExpressions())
                  .containsExactly(
                      new NodeSelectorRequirement(
                          ReservationPods.ACCELERATOR_LABEL, "In", List.of("kvm")));
              assertThat(term.getMatchFields()).isEmpty();
            });
    assertThat(affinity(pod).getPreferredDuringSchedulingIgnoredDuringExecution()).isEmpty();
  }

  @Test
  void tcgPodHasTheTcgOverheadAndNoDevice() {
    EraVM vm = vm("box");
    vm.getSpec().setMemory("300Mi");
    Pod pod = ReservationPodSpec.of(vm, Accelerator.tcg, TOKEN, CONFIG);

    Map<String, Quantity> expected =
        Map.of(
            "cpu", new Quantity("2"),
            "memory", new Quantity((300 + CONFIG.vmmOverheadTcg()) + "Mi"));
    assertThat(container(pod).getResources().getRequests()).isEqualTo(expected);
    assertThat(container(pod).getResources().getLimits()).isEqualTo(expected);
    assertThat(
            affinity(pod)
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .get(0)
                .getMatchExpressions())
        .containsExactly(
            new NodeSelectorRequirement(ReservationPods.ACCELERATOR_LABEL, "In", List.of("tcg")));
  }

  @Test
  void memoryThatIsNoWholeMibRoundsUp() {
    EraVM vm = vm("box");
    vm.getSpec().setMemory("1000000000");
    Pod pod = ReservationPodSpec.of(vm, Accelerator.tcg, TOKEN, CONFIG);

    // 10^9 bytes is 953.67 MiB.
    assertThat(container(pod).getResources().getLimits().get("memory"))
        .isEqualTo(new Quantity((954 + CONFIG.vmmOverheadTcg()) + "Mi"));
  }

  @Test
  void namedOwnedAndLabelledForItsVm() {
    EraVM vm = vm("box");
    Pod pod = ReservationPodSpec.of(vm, Accelerator.kvm, TOKEN, CONFIG);

    assertThat(pod.getMetadata().getName()).isEqualTo("era-vm-box");
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("team");
    assertThat(pod.getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                ReservationPods.VM_UID_LABEL,
                vm.getMetadata().getUid(),
                "app.kubernetes.io/managed-by",
                "era",
                "app.kubernetes.io/component",
                "vm-reservation"));
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getApiVersion()).isEqualTo(Era.API_VERSION);
              assertThat(o.getKind()).isEqualTo("EraVM");
              assertThat(o.getName()).isEqualTo("box");
              assertThat(o.getUid()).isEqualTo(vm.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
              assertThat(o.getBlockOwnerDeletion()).isTrue();
            });
  }

  @Test
  void aVeryLongVmNameGivesAPodNamedByTheUid() {
    EraVM vm = vm("v".repeat(253));
    Pod pod = ReservationPodSpec.of(vm, Accelerator.tcg, TOKEN, CONFIG);

    assertThat(pod.getMetadata().getName()).isEqualTo("era-vm-" + vm.getMetadata().getUid());
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getName())
        .isEqualTo(vm.getMetadata().getName());
  }

  @Test
  void oneLockedDownIdleContainerCarryingTheToken() {
    Pod pod = ReservationPodSpec.of(vm("box"), Accelerator.kvm, TOKEN, CONFIG);
    Container container = container(pod);

    assertThat(container.getName()).isEqualTo(ReservationPods.CONTAINER);
    assertThat(container.getImage()).isEqualTo(EraOperatorConfig.DEFAULT_RESERVATION_IMAGE);
    assertThat(container.getEnv())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getName()).isEqualTo(ReservationPods.TOKEN_ENV);
              assertThat(e.getValue()).isEqualTo(TOKEN);
            });
    SecurityContext security = container.getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getRunAsUser()).isEqualTo(65535L);
    assertThat(security.getRunAsGroup()).isEqualTo(65535L);
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSpec().getEnableServiceLinks()).isFalse();
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Always");
    assertThat(pod.getSpec().getNodeName()).isNull();
  }

  @Test
  void aPinnedVmRequiresItsNode() {
    EraVM vm = vm("box");
    vm.getSpec().setNodeName("node-a");
    Pod pod = ReservationPodSpec.of(vm, Accelerator.kvm, TOKEN, CONFIG);

    assertThat(
            affinity(pod)
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .get(0)
                .getMatchFields())
        .containsExactly(new NodeSelectorRequirement("metadata.name", "In", List.of("node-a")));
    assertThat(affinity(pod).getPreferredDuringSchedulingIgnoredDuringExecution()).isEmpty();
  }

  private static EraNode node(String name, Accelerator accelerator, boolean ready) {
    EraNode node = new EraNode();
    node.getMetadata().setName(name);
    node.getStatus().setAccelerator(accelerator);
    node.getStatus().setCondition(ConditionTypes.READY, ready, "r", "", Instant.now());
    return node;
  }

  private static EraPool pool() {
    EraPool pool = new EraPool();
    pool.getMetadata().setName("py");
    pool.getMetadata().setNamespace("team");
    pool.getMetadata().setUid("7a1f0c2e-0000-4000-8000-000000000001");
    pool.getSpec().getTemplate().setCpu(2);
    pool.getSpec().getTemplate().setMemory("1Gi");
    pool.getSpec().setNodeSelector(Map.of("pool", "fast"));
    return pool;
  }

  @Test
  void aWarmPodIsShapedLikeItsTemplatesVmPodAndOwnedByThePool() {
    Pod warm =
        ReservationPodSpec.forPool(pool(), "a1b2c3", "hash1", Accelerator.kvm, TOKEN, CONFIG);
    Pod own = ReservationPodSpec.of(vm("box"), Accelerator.kvm, TOKEN, CONFIG);

    assertThat(warm.getMetadata().getName()).isEqualTo("era-warm-py-a1b2c3");
    assertThat(ReservationPods.warmSuffix(warm.getMetadata().getName())).contains("a1b2c3");
    assertThat(warm.getMetadata().getLabels())
        .containsEntry(ReservationPods.POOL_UID_LABEL, pool().getMetadata().getUid())
        .containsEntry(ReservationPods.TEMPLATE_LABEL, "hash1")
        .doesNotContainKey(ReservationPods.VM_UID_LABEL);
    assertThat(warm.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("EraPool");
              assertThat(o.getUid()).isEqualTo(pool().getMetadata().getUid());
              assertThat(o.getController()).isTrue();
            });
    assertThat(warm.getSpec().getNodeSelector()).containsExactly(Map.entry("pool", "fast"));
    assertThat(container(warm).getResources()).isEqualTo(container(own).getResources());
    assertThat(container(warm).getSecurityContext()).isEqualTo(container(own).getSecurityContext());
    assertThat(affinity(warm)).isEqualTo(affinity(own));
  }

  @Test
  void aVmOfThePoolTakesOverAWarmPodThatFitsIt() {
    Pod warm =
        ReservationPodSpec.forPool(pool(), "a1b2c3", "hash1", Accelerator.tcg, TOKEN, CONFIG);
    EraVM vm = vm("box");
    vm.getMetadata().setLabels(Map.of("team", "search"));
    EraVM bigger = vm("big");
    bigger.getSpec().setMemory("2Gi");

    assertThat(ReservationPodSpec.fits(warm, vm, CONFIG)).isTrue();
    assertThat(ReservationPodSpec.fits(warm, bigger, CONFIG)).isFalse();
    assertThat(
            ReservationPodSpec.fits(
                ReservationPodSpec.forPool(
                    pool(), "a1b2c3", "hash1", Accelerator.kvm, TOKEN, CONFIG),
                vm,
                CONFIG))
        .as("a KVM warm pod fits as the VM's own KVM pod would")
        .isTrue();

    Pod taken = ReservationPodSpec.takeOver(warm, vm);

    assertThat(taken.getMetadata().getName()).isEqualTo("era-warm-py-a1b2c3");
    assertThat(taken.getMetadata().getLabels())
        .containsEntry(ReservationPods.VM_UID_LABEL, vm.getMetadata().getUid())
        .containsEntry("team", "search")
        .containsEntry("app.kubernetes.io/managed-by", "era")
        .doesNotContainKeys(ReservationPods.POOL_UID_LABEL, ReservationPods.TEMPLATE_LABEL);
    assertThat(taken.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("EraVM");
              assertThat(o.getUid()).isEqualTo(vm.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
            });
  }

  private static boolean ready(EraNode node) {
    return node.getStatus().isTrue(ConditionTypes.READY);
  }

  @Test
  void kvmWhenASchedulableNodeHasItElseTcg() {
    EraNode tcg = node("t", Accelerator.tcg, true);
    EraNode kvm = node("k", Accelerator.kvm, true);
    EraNode downKvm = node("d", Accelerator.kvm, false);
    EraVM vm = vm("box");

    assertThat(
            ReservationPodSpec.acceleratorFor(vm, List.of(tcg, kvm), ReservationPodSpecTest::ready))
        .isEqualTo(Accelerator.kvm);
    assertThat(
            ReservationPodSpec.acceleratorFor(
                vm, List.of(tcg, downKvm), ReservationPodSpecTest::ready))
        .isEqualTo(Accelerator.tcg);
    assertThat(ReservationPodSpec.acceleratorFor(vm, List.of(), ReservationPodSpecTest::ready))
        .isEqualTo(Accelerator.tcg);
  }

  @Test
  void aPinnedVmTakesItsNodesAccelerator() {
    EraVM vm = vm("box");
    vm.getSpec().setNodeName("t");

    assertThat(
            ReservationPodSpec.acceleratorFor(
                vm,
                List.of(node("t", Accelerator.tcg, true), node("k", Accelerator.kvm, true)),
                ReservationPodSpecTest::ready))
        .isEqualTo(Accelerator.tcg);
  }
}
