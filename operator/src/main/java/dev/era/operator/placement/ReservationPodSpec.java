package dev.era.operator.placement;

import dev.era.api.Accelerator;
import dev.era.api.Era;
import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.Quantities;
import dev.era.api.ReservationPods;
import dev.era.api.VmTemplate;
import dev.era.operator.EraOperatorConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
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
 * ReservationPods#ACCELERATOR_LABEL}), and to the VM's node if it pins one. It carries the EraVM's
 * own labels, by which a NetworkPolicy selects the VM's traffic. A pool's warm pods ({@link
 * #forPool}) are made the same way, for a VM of the pool to take over ({@link #takeOver}).
 *
 * <p>The accelerator ({@link #acceleratorFor}): a VM pinned to a node whose EraNode reports an
 * accelerator gets that one; any other VM gets KVM when some schedulable EraNode reports KVM, else
 * TCG. A VM is never placed on a TCG node while a KVM node could take it.
 */
public final class ReservationPodSpec {
  static final String MANAGED_BY = "era";
  static final String COMPONENT = "vm-reservation";

  /** Labels of every reservation pod, over any of the user's. */
  public static final Map<String, String> ERA_LABELS =
      Map.of("app.kubernetes.io/managed-by", MANAGED_BY, "app.kubernetes.io/component", COMPONENT);

  /** Selects every reservation pod, a VM's or a warm one. */
  public static final String SELECTOR =
      "app.kubernetes.io/managed-by=" + MANAGED_BY + ",app.kubernetes.io/component=" + COMPONENT;

  /** A pod's token: 128 random bits. */
  public static final int TOKEN_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The user of the pause image's one process; it needs no other. */
  private static final long NOBODY = 65535L;

  private ReservationPodSpec() {}

  /**
   * @param token the value of {@link ReservationPods#TOKEN_ENV}
   */
  public static Pod of(EraVM vm, Accelerator accelerator, String token, EraOperatorConfig config) {
    String vmName = vm.getMetadata().getName();
    String vmUid = vm.getMetadata().getUid();
    return pod(
            ReservationPods.name(vmName, vmUid),
            vm.getSpec(),
            vm.getSpec().getNodeName(),
            accelerator,
            token,
            config)
        .editMetadata()
        .withNamespace(vm.getMetadata().getNamespace())
        .withLabels(vmLabels(vm))
        .withOwnerReferences(owner(vm))
        .endMetadata()
        .build();
  }

  /**
   * A pool's warm pod: the reservation of one warm guest, shaped like the pod of a VM of the pool's
   * template, so that a VM of the pool can take it over with its guest. It goes to nodes the pool's
   * node selector matches (Node labels).
   *
   * @param suffix ends the pod's name and the name of the guest the node agent boots in it
   * @param templateHash identifies the template, so that a changed one replaces the pod
   */
  public static Pod forPool(
      EraPool pool,
      String suffix,
      String templateHash,
      Accelerator accelerator,
      String token,
      EraOperatorConfig config) {
    String poolName = pool.getMetadata().getName();
    String poolUid = pool.getMetadata().getUid();
    return pod(
            ReservationPods.warmName(poolName, poolUid, suffix),
            pool.getSpec().getTemplate(),
            null,
            accelerator,
            token,
            config)
        .editMetadata()
        .withNamespace(pool.getMetadata().getNamespace())
        .addToLabels(ReservationPods.POOL_UID_LABEL, poolUid)
        .addToLabels(ReservationPods.TEMPLATE_LABEL, templateHash)
        .addToLabels(ERA_LABELS)
        .withOwnerReferences(owner(pool))
        .endMetadata()
        .editSpec()
        .withNodeSelector(new LinkedHashMap<>(pool.getSpec().getNodeSelector()))
        .endSpec()
        .build();
  }

  /** The controller reference that makes the pod the owner's, and goes with it. */
  public static OwnerReference owner(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(Era.API_VERSION)
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /**
   * A VM of a pool takes over one of its warm pods: the pod becomes the VM's (owner, labels), its
   * guest with it.
   *
   * @param pod a copy, edited and returned
   */
  public static Pod takeOver(Pod pod, EraVM vm) {
    pod.getMetadata().setLabels(vmLabels(vm));
    pod.getMetadata().setOwnerReferences(new ArrayList<>(List.of(owner(vm))));
    return pod;
  }

  /** A VM's pod's labels: the EraVM's own, its UID, and ERA's over any of the user's. */
  private static Map<String, String> vmLabels(EraVM vm) {
    Map<String, String> labels = userLabels(vm);
    labels.put(ReservationPods.VM_UID_LABEL, vm.getMetadata().getUid());
    labels.putAll(ERA_LABELS);
    return labels;
  }

  /**
   * Random hex of {@code bytes} bytes: a pod's token ({@link #TOKEN_BYTES}), a warm pod's suffix.
   */
  public static String randomHex(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return HexFormat.of().formatHex(value);
  }

  /** Whether the pod holds what the VM's own pod would: its CPU, memory and device. */
  public static boolean fits(Pod pod, EraVM vm, EraOperatorConfig config) {
    Map<String, Quantity> limits = pod.getSpec().getContainers().get(0).getResources().getLimits();
    Accelerator accelerator =
        limits.containsKey(config.kvmDeviceResource()) ? Accelerator.kvm : Accelerator.tcg;
    return resources(vm.getSpec(), accelerator, config).equals(limits);
  }

  private static Map<String, Quantity> resources(
      VmTemplate template, Accelerator accelerator, EraOperatorConfig config) {
    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put("cpu", new Quantity(Integer.toString(template.getCpu())));
    resources.put("memory", new Quantity(memoryMiB(template, accelerator, config) + "Mi"));
    if (accelerator == Accelerator.kvm) {
      resources.put(config.kvmDeviceResource(), new Quantity("1"));
    }
    return resources;
  }

  /** What the pods of VMs and warm guests share: resources, container, security. */
  /**
   * @param pinned the node the pod must go to, or null
   */
  private static PodBuilder pod(
      String name,
      VmTemplate template,
      String pinned,
      Accelerator accelerator,
      String token,
      EraOperatorConfig config) {
    Map<String, Quantity> resources = resources(template, accelerator, config);
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withRestartPolicy("Always")
        .withNewAffinity()
        .withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withNodeSelectorTerms(required(pinned, accelerator))
        .endRequiredDuringSchedulingIgnoredDuringExecution()
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
        .endSpec();
  }

  /**
   * The accelerator of a VM's pod; see the class comment.
   *
   * @param nodes every EraNode
   * @param schedulable whether a node may take new VMs now
   */
  public static Accelerator acceleratorFor(
      EraVM vm, Collection<EraNode> nodes, Predicate<EraNode> schedulable) {
    return acceleratorFor(vm.getSpec().getNodeName(), nodes, schedulable);
  }

  /**
   * @param pinned the node the pod must go to, or null
   */
  public static Accelerator acceleratorFor(
      String pinned, Collection<EraNode> nodes, Predicate<EraNode> schedulable) {
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
  static long memoryMiB(VmTemplate template, Accelerator accelerator, EraOperatorConfig config) {
    long bytes = Quantities.bytes(template.getMemory()).orElse(0L);
    long overhead =
        accelerator == Accelerator.kvm ? config.vmmOverheadKvm() : config.vmmOverheadTcg();
    return (bytes + Quantities.MIB - 1) / Quantities.MIB + overhead;
  }

  private static NodeSelectorTerm required(String pinned, Accelerator accelerator) {
    List<NodeSelectorRequirement> fields = new ArrayList<>();
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
