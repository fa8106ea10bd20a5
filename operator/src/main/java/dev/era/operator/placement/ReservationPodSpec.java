package dev.era.operator.placement;

import dev.era.api.Accelerator;
import dev.era.api.Era;
import dev.era.api.EraNode;
import dev.era.api.EraVM;
import dev.era.api.Quantities;
import dev.era.api.ReservationPods;
import dev.era.operator.EraOperatorConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTermBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An EraVM's reservation pod (docs/architecture.md, "Reservation pods"): the pod whose requests and
 * limits hold the VM's place on a node for kube-scheduler and kubelet, and in whose cgroup and
 * network namespace the node agent starts the VM.
 *
 * <p>Requests equal limits (Guaranteed QoS): the VM's vCPUs, and its memory plus the VMM's overhead
 * for the accelerator; a KVM VM also asks for one {@code kvmDeviceResource}. The pod may only go to
 * nodes whose node agent reports that accelerator (node label {@link
 * ReservationPods#ACCELERATOR_LABEL}), and to the VM's node if it pins one; a pool VM prefers the
 * nodes holding a warm guest of its pool. It carries the EraVM's own labels, by which a
 * NetworkPolicy selects the VM's traffic.
 *
 * <p>The accelerator ({@link #acceleratorFor}): a VM pinned to a node whose EraNode reports an
 * accelerator gets that one; any other VM gets KVM when some schedulable EraNode reports KVM, else
 * TCG. A VM is never placed on a TCG node while a KVM node could take it.
 */
public final class ReservationPodSpec {
  static final String MANAGED_BY = "era";
  static final String COMPONENT = "vm-reservation";

  /** The user of the pause image's one process; it needs no other. */
  private static final long NOBODY = 65535L;

  private static final int PREFERRED_WEIGHT = 100;

  private ReservationPodSpec() {}

  /**
   * @param token the value of {@link ReservationPods#TOKEN_ENV}
   * @param preferredNodes nodes the pod should go to if it can (empty: none)
   */
  public static Pod of(
      EraVM vm,
      Accelerator accelerator,
      String token,
      EraOperatorConfig config,
      Set<String> preferredNodes) {
    String vmName = vm.getMetadata().getName();
    String vmUid = vm.getMetadata().getUid();
    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put("cpu", new Quantity(Integer.toString(vm.getSpec().getCpu())));
    resources.put("memory", new Quantity(memoryMiB(vm, accelerator, config) + "Mi"));
    if (accelerator == Accelerator.kvm) {
      resources.put(config.kvmDeviceResource(), new Quantity("1"));
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(ReservationPods.name(vmName, vmUid))
        .withNamespace(vm.getMetadata().getNamespace())
        .withLabels(userLabels(vm))
        .addToLabels(ReservationPods.VM_UID_LABEL, vmUid)
        .addToLabels("app.kubernetes.io/managed-by", MANAGED_BY)
        .addToLabels("app.kubernetes.io/component", COMPONENT)
        .addNewOwnerReference()
        .withApiVersion(Era.API_VERSION)
        .withKind(HasMetadata.getKind(EraVM.class))
        .withName(vmName)
        .withUid(vmUid)
        .withController(true)
        .withBlockOwnerDeletion(true)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withRestartPolicy("Always")
        .withNewAffinity()
        .withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withNodeSelectorTerms(required(vm, accelerator))
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .withPreferredDuringSchedulingIgnoredDuringExecution(
            preferredNodes.isEmpty()
                ? List.of()
                : List.of(
                    new PreferredSchedulingTermBuilder()
                        .withWeight(PREFERRED_WEIGHT)
                        .withPreference(
                            new NodeSelectorTermBuilder()
                                .withMatchFields(nodeNameIn(preferredNodes))
                                .build())
                        .build()))
        .endNodeAffinity()
        .endAffinity()
        .addNewContainer()
        .withName(ReservationPods.CONTAINER)
        .withImage(config.reservationImage())
        .addNewEnv()
        .withName(ReservationPods.TOKEN_ENV)
        .withValue(token)
        .endEnv()
        .withNewResources()
        .withRequests(resources)
        .withLimits(resources)
        .endResources()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(NOBODY)
        .withRunAsGroup(NOBODY)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .build();
  }

  /**
   * The accelerator of a VM's pod; see the class comment.
   *
   * @param nodes every EraNode
   * @param schedulable whether a node may take new VMs now
   */
  public static Accelerator acceleratorFor(
      EraVM vm, Collection<EraNode> nodes, Predicate<EraNode> schedulable) {
    String pinned = vm.getSpec().getNodeName();
    if (pinned != null) {
      for (EraNode node : nodes) {
        if (pinned.equals(node.getMetadata().getName())
            && node.getStatus().getAccelerator() != null) {
          return node.getStatus().getAccelerator();
        }
      }
    }
    return nodes.stream()
            .filter(schedulable)
            .anyMatch(n -> n.getStatus().getAccelerator() == Accelerator.kvm)
        ? Accelerator.kvm
        : Accelerator.tcg;
  }

  /**
   * The EraVM's own labels, but ERA's: a NetworkPolicy selects a VM's traffic by the labels its
   * user gave the EraVM, since the traffic leaves from the pod. Copied when the pod is made.
   */
  static Map<String, String> userLabels(EraVM vm) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (vm.getMetadata().getLabels() != null) {
      vm.getMetadata().getLabels().entrySet().stream()
          .filter(e -> !e.getKey().startsWith(Era.GROUP + "/"))
          .forEach(e -> labels.put(e.getKey(), e.getValue()));
    }
    return labels;
  }

  /** The VM's memory in MiB, rounded up, plus the VMM's overhead. */
  static long memoryMiB(EraVM vm, Accelerator accelerator, EraOperatorConfig config) {
    long bytes = Quantities.bytes(vm.getSpec().getMemory()).orElse(0L);
    long overhead =
        accelerator == Accelerator.kvm ? config.vmmOverheadKvm() : config.vmmOverheadTcg();
    return (bytes + Quantities.MIB - 1) / Quantities.MIB + overhead;
  }

  private static NodeSelectorTerm required(EraVM vm, Accelerator accelerator) {
    List<NodeSelectorRequirement> fields = new ArrayList<>();
    String pinned = vm.getSpec().getNodeName();
    if (pinned != null) {
      // As DaemonSets pin their pods: kube-scheduler still places it, so its checks still apply.
      fields.add(nodeNameIn(Set.of(pinned)));
    }
    return new NodeSelectorTermBuilder()
        .addNewMatchExpression()
        .withKey(ReservationPods.ACCELERATOR_LABEL)
        .withOperator("In")
        .withValues(accelerator.name())
        .endMatchExpression()
        .withMatchFields(fields)
        .build();
  }

  private static NodeSelectorRequirement nodeNameIn(Set<String> nodes) {
    return new NodeSelectorRequirement("metadata.name", "In", nodes.stream().sorted().toList());
  }
}
