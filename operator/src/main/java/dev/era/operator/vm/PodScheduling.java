package dev.era.operator.vm;

import dev.era.api.Accelerator;
import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Reasons;
import dev.era.api.ReservationPods;
import dev.era.kube.EventRecorder;
import dev.era.kube.ResourceWriter;
import dev.era.kube.ResourceWriter.Result;
import dev.era.operator.EraOperatorConfig;
import dev.era.operator.placement.CapacityLedger;
import dev.era.operator.placement.NodeState;
import dev.era.operator.placement.PodOwners;
import dev.era.operator.placement.PodStates;
import dev.era.operator.placement.ReservationPodSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Placement by kube-scheduler ({@link EraOperatorConfig.PlacementMode#pods}): each VM gets a
 * reservation pod ({@link ReservationPodSpec}), and the node kube-scheduler binds it to is the VM's
 * node. The operator keeps no capacity account of its own here; the VM's label and status are its
 * record.
 *
 * <p>A VM names its pod in the annotation {@link ReservationPods#ANNOTATION}. A placed VM whose pod
 * is gone, being deleted or ended (evicted) has lost its place, as if its node were lost. A pod
 * that can no longer hold the VM (ended, or bound to a lost node) is deleted at once, without a
 * grace period: no kubelet may be left to finish a graceful deletion, and a new pod of the same
 * name cannot be created until the old one is gone. A VM placed before it had a pod (by the ledger)
 * keeps its place without one.
 *
 * <p>A VM of a pool first tries to take over one of the pool's warm pods bound to a node
 * (preferring nodes whose agent reports a ready guest of the pool), sized as its own pod would be:
 * the pod becomes the VM's, with the guest waiting in it, and the pool makes another.
 */
final class PodScheduling implements Scheduling {
  private static final String BY_VM_UID = "era-by-vm-uid";

  private final KubernetesClient client;
  private final EraOperatorConfig config;
  private final EventRecorder events;
  private final Supplier<Stream<EraNode>> eraNodes;
  private final Function<EraVM, Set<String>> warmNodes;
  private final Function<Pod, Set<ResourceID>> waitingForWarmPod;
  private InformerEventSource<Pod, EraVM> pods;

  /**
   * @param eraNodes reads the controller's cache of EraNodes
   * @param warmNodes the nodes holding a ready guest of the VM's pool that no other VM is on its
   *     way to take
   * @param waitingForWarmPod the VMs of a warm pod's pool that wait for a place
   */
  PodScheduling(
      KubernetesClient client,
      EraOperatorConfig config,
      EventRecorder events,
      Supplier<Stream<EraNode>> eraNodes,
      Function<EraVM, Set<String>> warmNodes,
      Function<Pod, Set<ResourceID>> waitingForWarmPod) {
    this.client = client;
    this.config = config;
    this.events = events;
    this.eraNodes = eraNodes;
    this.warmNodes = warmNodes;
    this.waitingForWarmPod = waitingForWarmPod;
  }

  /**
   * Reservation pods, VMs' and warm ones, by ERA's labels: binding and the scheduler's verdicts
   * wake their VM, and a warm pod the VMs of its pool that wait for a place.
   */
  @Override
  public List<EventSource<?, EraVM>> eventSources(EventSourceContext<EraVM> context) {
    pods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, EraVM.class)
                .withName("reservation-pods")
                .withLabelSelector(ReservationPodSpec.SELECTOR)
                .withSecondaryToPrimaryMapper(this::vmsOf)
                .build(),
            context);
    pods.addIndexers(Map.of(BY_VM_UID, PodScheduling::vmUid));
    return List.of(pods);
  }

  /** A VM's pod wakes its VM; a pool's warm pod, the pool's VMs that wait for a place. */
  private Set<ResourceID> vmsOf(Pod pod) {
    Set<ResourceID> vms = new HashSet<>(PodOwners.of(pod, EraVM.class));
    vms.addAll(waitingForWarmPod.apply(pod));
    return vms;
  }

  @Override
  public Optional<String> nodeOf(EraVM vm) {
    return CapacityLedger.shownBy(vm);
  }

  /** The VM's label and status say where it is; NodeLoss has cleared them. */
  @Override
  public void unplace(EraVM vm) {}

  @Override
  public Optional<String> placeLost(EraVM vm) {
    if (vm.getMetadata().getAnnotations() == null
        || !vm.getMetadata().getAnnotations().containsKey(ReservationPods.ANNOTATION)) {
      return Optional.empty();
    }
    String name = podName(vm);
    Pod pod = cachedPod(vm).orElseGet(() -> readPod(vm));
    if (pod == null || !ownedBy(pod, vm)) {
      return Optional.of("reservation pod " + name + " is gone");
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return Optional.of("reservation pod " + name + " is being deleted");
    }
    return PodStates.ended(pod).map(why -> "reservation pod " + name + " " + why);
  }

  @Override
  public Instant keep(EraVM vm, NodeState node, Instant now) {
    Scheduling.recordPlacement(vm, node.name(), now);
    return node.lostAt();
  }

  @Override
  public Instant place(EraVM vm, Map<String, NodeState> nodeStates, Instant now) {
    Pod pod = cachedPod(vm).orElse(null);
    if (pod == null && vm.getSpec().getPool() != null) {
      pod = takeWarmPod(vm, nodeStates, now).orElse(null);
    }
    String name = pod == null ? podName(vm) : pod.getMetadata().getName();
    if (pod == null) {
      try {
        pod = create(vm, now);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          return waitFor(
              vm,
              Reasons.RESERVATION_POD_FAILED,
              "could not create reservation pod " + name + ": " + apiMessage(e),
              now);
        }
        pod = readPod(vm); // it exists: created before the cache knew, or not ours
        if (pod == null) {
          return waitFor(
              vm,
              Reasons.WAITING_FOR_SCHEDULER,
              "reservation pod " + name + " went away; creating another",
              now);
        }
      }
    }
    if (!ownedBy(pod, vm)) {
      return waitFor(
          vm,
          Reasons.RESERVATION_POD_CONFLICT,
          "pod " + name + " exists and belongs to something else; the VM waits until it is gone",
          now);
    }
    annotationsOf(vm).put(ReservationPods.ANNOTATION, name);
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return waitFor(
          vm,
          Reasons.WAITING_FOR_SCHEDULER,
          "waiting for the old reservation pod " + name + " to be deleted",
          now);
    }
    String node = pod.getSpec().getNodeName();
    Optional<String> unusable =
        PodStates.ended(pod)
            .or(
                () ->
                    node == null
                        ? Optional.empty()
                        : NodeState.lost(node, nodeStates.get(node), now));
    if (unusable.isPresent()) {
      try {
        client.pods().resource(pod).withGracePeriod(0).delete();
      } catch (KubernetesClientException e) {
        return waitFor(
            vm,
            Reasons.RESERVATION_POD_FAILED,
            "could not delete reservation pod " + name + ": " + apiMessage(e),
            now);
      }
      return waitFor(
          vm,
          Reasons.WAITING_FOR_SCHEDULER,
          "deleted reservation pod " + name + " (" + unusable.get() + "); creating another",
          now);
    }
    if (node != null) {
      boolean newlyPlaced = !node.equals(vm.getStatus().getNodeName());
      Scheduling.recordPlacement(vm, node, now);
      if (newlyPlaced) {
        events.normal(vm, Reasons.SCHEDULED, "Placed on node " + node);
      }
      return nodeStates.get(node).lostAt();
    }
    Optional<PodCondition> refused = PodStates.unschedulable(pod);
    if (refused.isPresent()) {
      return waitFor(vm, Reasons.UNSCHEDULABLE, refused.get().getMessage(), now);
    }
    return waitFor(
        vm,
        Reasons.WAITING_FOR_SCHEDULER,
        "waiting for kube-scheduler to place reservation pod " + name,
        now);
  }

  private Pod create(EraVM vm, Instant now) {
    Accelerator accelerator =
        ReservationPodSpec.acceleratorFor(
            vm, eraNodes.get().toList(), n -> NodeState.of(n, now, config).schedulable());
    Pod created =
        client
            .pods()
            .resource(
                ReservationPodSpec.of(
                    vm,
                    accelerator,
                    ReservationPodSpec.randomHex(ReservationPodSpec.TOKEN_BYTES),
                    config))
            .create();
    pods.handleRecentResourceCreate(ResourceID.fromResource(created), created);
    return created;
  }

  /**
   * Takes over a warm pod of the VM's pool, bound to a live node (the VM's, if it pins one) and
   * sized as the VM's own pod would be. The write is guarded by the pod's resourceVersion, so no
   * two VMs take the same pod.
   */
  private Optional<Pod> takeWarmPod(EraVM vm, Map<String, NodeState> nodeStates, Instant now) {
    String pool = vm.getSpec().getPool();
    String pinned = vm.getSpec().getNodeName();
    Set<String> warm = warmNodes.apply(vm);
    List<Pod> candidates =
        pods.list(vm.getMetadata().getNamespace())
            .filter(
                p ->
                    PodOwners.of(p, EraPool.class)
                        .contains(new ResourceID(pool, vm.getMetadata().getNamespace())))
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(p -> PodStates.ended(p).isEmpty())
            .filter(
                p -> {
                  String node = p.getSpec().getNodeName();
                  return node != null
                      && (pinned == null || pinned.equals(node))
                      && NodeState.lost(node, nodeStates.get(node), now).isEmpty();
                })
            .filter(p -> ReservationPodSpec.fits(p, vm, config))
            .sorted(Comparator.comparing(p -> !warm.contains(p.getSpec().getNodeName())))
            .toList();
    ResourceWriter<Pod> writer = ResourceWriter.direct(client);
    for (Pod pod : candidates) {
      Pod[] taken = {null};
      Result result =
          writer.write(
              pod,
              p ->
                  p.getMetadata().getDeletionTimestamp() == null
                      && p.getMetadata().getLabels().containsKey(ReservationPods.POOL_UID_LABEL),
              p -> taken[0] = ReservationPodSpec.takeOver(p, vm));
      if (result == Result.WRITTEN) {
        events.normal(
            vm,
            Reasons.SCHEDULED,
            "took over warm pod "
                + pod.getMetadata().getName()
                + " of pool "
                + pool
                + " on node "
                + pod.getSpec().getNodeName());
        return Optional.of(taken[0]);
      }
    }
    return Optional.empty();
  }

  /** Pending, saying why; an event when the reason or message is new. */
  private Instant waitFor(EraVM vm, String reason, String message, Instant now) {
    vm.getStatus().setPhase(EraVMPhase.Pending);
    if (vm.getStatus().setCondition(ConditionTypes.SCHEDULED, false, reason, message, now)) {
      if (reason.equals(Reasons.WAITING_FOR_SCHEDULER)) {
        events.normal(vm, reason, message);
      } else {
        events.warning(vm, reason, message);
      }
    }
    return now.plus(config.unschedulableRetry());
  }

  /** The API server's own words (a quota exceeded, say), without the client's request line. */
  private static String apiMessage(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
  }

  /**
   * The VM's pod: the one its annotation names, else any it owns (taken over, but not yet named in
   * the annotation, whose write may have been declined).
   */
  private Optional<Pod> cachedPod(EraVM vm) {
    List<Pod> own = pods.byIndex(BY_VM_UID, vm.getMetadata().getUid());
    String name = podName(vm);
    return own.stream()
        .filter(p -> p.getMetadata().getName().equals(name))
        .findFirst()
        .or(() -> own.stream().filter(p -> ownedBy(p, vm)).findFirst())
        .or(() -> pods.get(new ResourceID(name, vm.getMetadata().getNamespace())));
  }

  private Pod readPod(EraVM vm) {
    return client.pods().inNamespace(vm.getMetadata().getNamespace()).withName(podName(vm)).get();
  }

  /** The pod the VM's annotation names, else the name of a pod made for it. */
  private static String podName(EraVM vm) {
    Map<String, String> annotations = vm.getMetadata().getAnnotations();
    String named = annotations == null ? null : annotations.get(ReservationPods.ANNOTATION);
    return named != null
        ? named
        : ReservationPods.name(vm.getMetadata().getName(), vm.getMetadata().getUid());
  }

  private static boolean ownedBy(Pod pod, EraVM vm) {
    return pod.getMetadata().getOwnerReferences().stream()
        .anyMatch(
            o ->
                Boolean.TRUE.equals(o.getController())
                    && vm.getMetadata().getUid().equals(o.getUid()));
  }

  private static List<String> vmUid(Pod pod) {
    String uid = pod.getMetadata().getLabels().get(ReservationPods.VM_UID_LABEL);
    return uid == null ? List.of() : List.of(uid);
  }

  private static Map<String, String> annotationsOf(EraVM vm) {
    if (vm.getMetadata().getAnnotations() == null) {
      vm.getMetadata().setAnnotations(new HashMap<>());
    }
    return vm.getMetadata().getAnnotations();
  }
}
