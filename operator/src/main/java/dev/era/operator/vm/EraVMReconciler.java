package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.EraVMValidator;
import dev.era.api.Finalizers;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import dev.era.operator.EraControllers;
import dev.era.operator.EraOperatorConfig;
import dev.era.operator.OperatorMetrics;
import dev.era.operator.PrimaryWrites;
import dev.era.operator.placement.CapacityLedger;
import dev.era.operator.placement.NodeState;
import dev.era.operator.placement.Placement;
import dev.era.operator.placement.Resources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Validates EraVMs, places them on nodes, applies their TTLs and looks after VMs whose node is
 * lost. The node agent takes over once a VM is placed (see {@link EraVMPhase}).
 *
 * <p>Reconciles run on every change, not only spec changes, because the node agent's status writes
 * matter here (idle TTL, capacity, teardown). The finalizer {@link Finalizers#VM_CLEANUP} is
 * JOSDK's: it is on every VM this controller has seen, and on deletion {@link #cleanup} removes it
 * once the node agent reports teardown, or at once when no node agent will (never placed, node
 * lost).
 */
@ControllerConfiguration(
    name = EraVMReconciler.NAME,
    generationAwareEventProcessing = false,
    finalizerName = Finalizers.VM_CLEANUP)
public class EraVMReconciler implements Reconciler<EraVM>, Cleaner<EraVM> {
  public static final String NAME = "eravm";
  private static final String BY_NODE = "era-by-node";
  private static final String WAITING = "era-waiting";

  /** How soon a VM that found no room looks again while the two caches of EraVMs disagree. */
  private static final Duration CACHES_SETTLE = Duration.ofMillis(200);

  private final KubernetesClient client;
  private final EraOperatorConfig config;
  private final OperatorMetrics metrics;
  private final EventRecorder events;
  private final CapacityLedger ledger = new CapacityLedger();
  private InformerEventSource<EraNode, EraVM> nodes;
  private IndexerResourceCache<EraVM> vms;
  private InformerEventSource<EraVM, EraVM> freed;

  public EraVMReconciler(
      KubernetesClient client, EraOperatorConfig config, OperatorMetrics metrics) {
    this.client = client;
    this.config = config;
    this.metrics = metrics;
    this.events = new EventRecorder(client, EraControllers.COMPONENT, null);
  }

  @Override
  public List<EventSource<?, EraVM>> prepareEventSources(EventSourceContext<EraVM> context) {
    vms = context.getPrimaryCache();
    vms.addIndexer(
        BY_NODE, vm -> Optional.ofNullable(vm.getStatus().getNodeName()).stream().toList());
    // Not placed, or placed but unable to start again: they want to hear about freed capacity.
    vms.addIndexer(
        WAITING, vm -> vm.getStatus().isTrue(ConditionTypes.SCHEDULED) ? List.of() : List.of(""));
    nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraNode.class, EraVM.class)
                .withName("eranodes")
                .withSecondaryToPrimaryMapper(this::vmsAffectedBy)
                .withOnUpdateFilter(this::nodeChangeMatters)
                .build(),
            context);
    freed =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraVM.class, EraVM.class)
                .withName("capacity-freed")
                .withOnAddFilter(vm -> false)
                .withOnUpdateFilter((updated, old) -> freesCapacity(old, updated))
                .withOnDeleteFilter((vm, finalStateUnknown) -> CapacityLedger.holdsCapacity(vm))
                .withSecondaryToPrimaryMapper(vm -> waitingVms())
                .build(),
            context);
    metrics.watchVmPhases(() -> vms.list());
    return List.of(nodes, freed);
  }

  @Override
  public UpdateControl<EraVM> reconcile(EraVM vm, Context<EraVM> context) throws Exception {
    return metrics.reconcile(NAME, () -> reconcileVm(vm, context));
  }

  private UpdateControl<EraVM> reconcileVm(EraVM vm, Context<EraVM> context) {
    Instant now = Instant.now();
    Map<String, NodeState> nodeStates = nodeStates(now);
    EraVM read = client.getKubernetesSerialization().clone(vm);
    EraVMStatus status = vm.getStatus();
    status.setObservedGeneration(vm.getMetadata().getGeneration());

    Optional<String> placed = ledger.nodeOf(vm);
    List<String> problems = EraVMValidator.validate(vm.getSpec(), placed.orElse(null));
    if (!problems.isEmpty()) {
      markInvalid(vm, String.join("; ", problems), now);
      PrimaryWrites.writer(client, context).writeChanges(read, vm);
      return UpdateControl.noUpdate();
    }
    clearInvalid(status);

    TtlVerdict ttl = TtlVerdict.of(vm, now);
    if (ttl.delete()) {
      events.normal(vm, Reasons.TTL_DELETED, "Deleted: " + ttl.message());
      client.resource(vm).delete();
      return UpdateControl.noUpdate();
    }
    applyExpiry(vm, ttl, now);

    Optional<Instant> recheck =
        placed.isPresent()
            ? keepPlacement(vm, placed.get(), nodeStates.get(placed.get()), now)
            : Optional.empty();
    if (ledger.nodeOf(vm).isEmpty()) {
      recheck = place(vm, nodeStates, now);
    }
    PrimaryWrites.writer(client, context).writeChanges(read, vm);
    UpdateControl<EraVM> control = UpdateControl.noUpdate();
    Stream.concat(recheck.stream(), ttl.nextCheck().stream())
        .min(Instant::compareTo)
        .ifPresent(at -> control.rescheduleAfter(untilOrNow(now, at)));
    return control;
  }

  private void markInvalid(EraVM vm, String message, Instant now) {
    EraVMStatus status = vm.getStatus();
    boolean changed =
        status.setCondition(ConditionTypes.READY, false, Reasons.INVALID, message, now);
    if (!status.getPhase().isOnNode()) {
      status.setPhase(EraVMPhase.Failed);
    }
    status.setReason(Reasons.INVALID);
    status.setMessage(message);
    if (changed) {
      events.warning(vm, Reasons.INVALID, message);
    }
  }

  /** A fixed spec: drop what {@link #markInvalid} wrote and start over from Pending. */
  private static void clearInvalid(EraVMStatus status) {
    if (!Reasons.INVALID.equals(status.getReason())) {
      return;
    }
    if (status.isFalseBecause(ConditionTypes.READY, Reasons.INVALID)) {
      status.removeCondition(ConditionTypes.READY);
    }
    if (status.getPhase() == EraVMPhase.Failed) {
      status.setPhase(EraVMPhase.Pending);
    }
    status.setReason(null);
    status.setMessage(null);
  }

  private void applyExpiry(EraVM vm, TtlVerdict ttl, Instant now) {
    EraVMStatus status = vm.getStatus();
    if (ttl.expiredReason().isPresent()) {
      String message = "Stopped: " + ttl.message();
      if (status.setCondition(
          ConditionTypes.EXPIRED, true, ttl.expiredReason().get(), message, now)) {
        events.normal(vm, ttl.expiredReason().get(), message);
      }
    } else {
      status.removeCondition(ConditionTypes.EXPIRED);
    }
  }

  /**
   * Keeps a placed VM's record straight (label, finalizer, status) while its node lives; fails it
   * or frees it for placement elsewhere once the node is lost.
   *
   * @return when to look at the node again
   */
  private Optional<Instant> keepPlacement(EraVM vm, String node, NodeState state, Instant now) {
    EraVMStatus status = vm.getStatus();
    Optional<String> lostNode = NodeState.lost(node, state, now);
    if (lostNode.isEmpty()) {
      if (status.getPhase() == EraVMPhase.Stopped
          && CapacityLedger.holdsCapacity(vm)
          && !ledger.fitsAgain(vm, state, vms::list)) {
        String message = "node " + node + " has no room to start the VM again";
        if (status.setCondition(
            ConditionTypes.SCHEDULED, false, Reasons.UNSCHEDULABLE, message, now)) {
          events.warning(vm, Reasons.UNSCHEDULABLE, message);
        }
        return Optional.of(nextTryWithoutRoom(now));
      }
      recordPlacement(vm, node, now);
      return Optional.of(state.lostAt());
    }
    String lost = lostNode.get();
    if (vm.getSpec().getPersist() != null) {
      if (status.setCondition(ConditionTypes.SCHEDULED, false, Reasons.NODE_LOST, lost, now)) {
        events.warning(
            vm, Reasons.NODE_LOST, lost + "; its persistent disk is there, so the VM fails");
      }
      status.setPhase(EraVMPhase.Failed);
      status.setReason(Reasons.NODE_LOST);
      status.setMessage(lost + "; the VM's persistent disk is on that node");
      return Optional.empty();
    }
    ledger.unplace(vm);
    labelsOf(vm).remove(Labels.NODE);
    status.setNodeName(null);
    status.setPhase(EraVMPhase.Pending);
    status.setCondition(ConditionTypes.SCHEDULED, false, Reasons.NODE_LOST, lost, now);
    status.removeCondition(ConditionTypes.READY);
    events.warning(vm, Reasons.RESCHEDULED, lost + "; placing the VM again");
    return Optional.empty();
  }

  /**
   * @return when to look again: at the chosen node's loss deadline, or the next retry
   */
  private Optional<Instant> place(EraVM vm, Map<String, NodeState> nodeStates, Instant now) {
    EraVMStatus status = vm.getStatus();
    Placement.Decision decision = ledger.place(vm, vms::list, nodeStates.values());
    if (decision.node().isPresent()) {
      String node = decision.node().get();
      recordPlacement(vm, node, now);
      events.normal(vm, Reasons.SCHEDULED, "Placed on node " + node);
      return Optional.of(nodeStates.get(node).lostAt());
    }
    status.setPhase(EraVMPhase.Pending);
    if (status.setCondition(
        ConditionTypes.SCHEDULED, false, Reasons.UNSCHEDULABLE, decision.reason(), now)) {
      events.warning(vm, Reasons.UNSCHEDULABLE, decision.reason());
    }
    return Optional.of(nextTryWithoutRoom(now));
  }

  private static void recordPlacement(EraVM vm, String node, Instant now) {
    labelsOf(vm).put(Labels.NODE, node);
    EraVMStatus status = vm.getStatus();
    status.setNodeName(node);
    status.setCondition(ConditionTypes.SCHEDULED, true, Reasons.PLACED, "placed on " + node, now);
    if (status.getPhase() == EraVMPhase.Pending
        || (status.getPhase() == EraVMPhase.Failed
            && Reasons.NODE_LOST.equals(status.getReason()))) {
      status.setPhase(EraVMPhase.Scheduled);
      status.setReason(null);
      status.setMessage(null);
    }
  }

  /**
   * A VM being deleted keeps its finalizer until its node agent reports it torn down (condition
   * {@link ConditionTypes#TORN_DOWN}), unless no agent will: it was never placed, or its node is
   * lost.
   */
  @Override
  public DeleteControl cleanup(EraVM vm, Context<EraVM> context) throws Exception {
    return metrics.reconcile(NAME, () -> cleanUp(vm));
  }

  private DeleteControl cleanUp(EraVM vm) {
    if (vm.getStatus().isTrue(ConditionTypes.TORN_DOWN)) {
      return DeleteControl.defaultDelete();
    }
    Instant now = Instant.now();
    Optional<String> node = ledger.nodeOf(vm);
    NodeState state = node.map(n -> nodeStates(now).get(n)).orElse(null);
    if (node.isPresent() && NodeState.lost(node.get(), state, now).isEmpty()) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(untilOrNow(now, state.lostAt()));
    }
    if (node.isPresent()) {
      events.warning(
          vm,
          Reasons.NODE_LOST,
          "node " + node.get() + " is lost; removing the VM without teardown");
    }
    return DeleteControl.defaultDelete();
  }

  /**
   * When a VM that found no room looks again. Capacity is reckoned from the controller's cache, but
   * the news that room was freed comes from the {@code capacity-freed} informer, which may see the
   * change first: while the two caches disagree, the verdict may be stale, so look again soon
   * rather than after a full retry period.
   */
  private Instant nextTryWithoutRoom(Instant now) {
    return now.plus(cachesAgree() ? config.unschedulableRetry() : CACHES_SETTLE);
  }

  private boolean cachesAgree() {
    return versions(vms.list()).equals(versions(freed.list()));
  }

  private static Map<ResourceID, String> versions(Stream<EraVM> vms) {
    return vms.collect(
        Collectors.toMap(ResourceID::fromResource, vm -> vm.getMetadata().getResourceVersion()));
  }

  private static Map<String, String> labelsOf(EraVM vm) {
    if (vm.getMetadata().getLabels() == null) {
      vm.getMetadata().setLabels(new HashMap<>());
    }
    return vm.getMetadata().getLabels();
  }

  private Map<String, NodeState> nodeStates(Instant now) {
    return nodes
        .list()
        .map(n -> NodeState.of(n, now, config))
        .collect(Collectors.toMap(NodeState::name, Function.identity()));
  }

  /** VMs on the node (it may be lost) and VMs waiting for room (it may have some now). */
  private Set<ResourceID> vmsAffectedBy(EraNode node) {
    Set<ResourceID> ids = new HashSet<>();
    vms.byIndex(BY_NODE, node.getMetadata().getName())
        .forEach(vm -> ids.add(ResourceID.fromResource(vm)));
    ids.addAll(waitingVms());
    return ids;
  }

  private Set<ResourceID> waitingVms() {
    return vms.byIndex(WAITING, "").stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  /** A VM that stops holding capacity, or holds less, makes room for waiting ones. */
  private static boolean freesCapacity(EraVM old, EraVM updated) {
    if (!CapacityLedger.holdsCapacity(old)) {
      return false;
    }
    return !CapacityLedger.holdsCapacity(updated)
        || !Resources.of(old.getSpec()).equals(Resources.of(updated.getSpec()));
  }

  /** Heartbeats alone do not wake every VM; a change in readiness, capacity or health does. */
  private boolean nodeChangeMatters(EraNode updated, EraNode old) {
    Instant now = Instant.now();
    NodeState before = NodeState.of(old, now, config);
    NodeState after = NodeState.of(updated, now, config);
    return before.schedulable() != after.schedulable()
        || !before.capacity().equals(after.capacity())
        || !before.unhealthySince().equals(after.unhealthySince())
        || updated.isMarkedForDeletion();
  }

  private static Duration untilOrNow(Instant now, Instant at) {
    Duration d = Duration.between(now, at);
    return d.isNegative() ? Duration.ZERO : d.plusMillis(100);
  }
}
