package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Finalizers;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import dev.era.operator.EraControllers;
import dev.era.operator.EraOperatorConfig;
import dev.era.operator.OperatorMetrics;
import dev.era.operator.PrimaryWrites;
import dev.era.operator.placement.CapacityLedger;
import dev.era.operator.placement.NodeState;
import dev.era.operator.placement.PodOwners;
import dev.era.operator.pool.PoolShares;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Validates EraVMs, applies their TTLs, places them on nodes and looks after VMs whose node is
 * lost, one step each ({@link Validation}, {@link Expiry}, {@link Scheduling}, {@link NodeLoss}).
 * Only the choice of node differs between the two placement modes: kube-scheduler's through a
 * reservation pod ({@link PodScheduling}) or the operator's own ({@link LedgerScheduling}). A VM
 * naming a pool goes to (or prefers) a node holding one of the pool's ready guests where there is
 * one; its node agent hands the guest over. The node agent takes over once a VM is placed (see
 * {@link EraVMPhase}).
 *
 * <p>Reconciles run on every change, not only spec changes, because the node agent's status writes
 * matter here (idle TTL, capacity, teardown). The finalizer {@link Finalizers#VM_CLEANUP} is
 * JOSDK's: it is on every VM this controller has seen, and on deletion {@link #cleanup} removes it
 * once the node agent reports teardown, or at once when no node agent will (never placed, node
 * lost).
 */
// No max reconciliation interval: reconciles schedule the looks they need (placement, node loss,
// TTLs), and the SDK's timer, scheduled after the finalizer's removal, races its own cancel on the
// delete event ("Task already scheduled or cancelled", thrown on the reconciler thread).
@ControllerConfiguration(
    name = EraVMReconciler.NAME,
    generationAwareEventProcessing = false,
    finalizerName = Finalizers.VM_CLEANUP,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = Constants.NO_MAX_RECONCILIATION_INTERVAL))
public class EraVMReconciler implements Reconciler<EraVM>, Cleaner<EraVM> {
  public static final String NAME = "eravm";
  private static final String BY_NODE = "era-by-node";
  private static final String WAITING = "era-waiting";
  private static final String BY_POOL = "era-by-pool";

  /** Phases of a pool VM placed on a node but not yet bound to a guest there. */
  private static final Set<EraVMPhase> BINDING =
      Set.of(EraVMPhase.Pending, EraVMPhase.Scheduled, EraVMPhase.Provisioning);

  private final KubernetesClient client;
  private final EraOperatorConfig config;
  private final OperatorMetrics metrics;
  private final EventRecorder events;
  private final CapacityLedger ledger;
  private final Validation validation;
  private final Expiry expiry;
  private final NodeLoss nodeLoss;
  private final Scheduling scheduling;
  private InformerEventSource<EraNode, EraVM> nodes;
  private InformerEventSource<EraPool, EraVM> pools;
  private IndexerResourceCache<EraVM> vms;
  private CapacityFreed capacityFreed;

  public EraVMReconciler(
      KubernetesClient client, EraOperatorConfig config, OperatorMetrics metrics) {
    this.client = client;
    this.config = config;
    this.metrics = metrics;
    this.events = new EventRecorder(client, EraControllers.COMPONENT, null);
    this.ledger = new CapacityLedger(() -> PoolShares.of(pools.list()));
    this.validation = new Validation(events, this::poolOf);
    this.expiry = new Expiry(client, events);
    this.scheduling =
        switch (config.placement()) {
          case pods ->
              new PodScheduling(
                  client,
                  config,
                  events,
                  () -> nodes.list(),
                  this::warmNodes,
                  this::waitingForWarmPod);
          case ledger ->
              new LedgerScheduling(
                  ledger, () -> vms.list(), config.unschedulableRetry(), events, this::warmNodes);
        };
    this.nodeLoss = new NodeLoss(scheduling, events);
  }

  @Override
  public List<EventSource<?, EraVM>> prepareEventSources(EventSourceContext<EraVM> context) {
    vms = context.getPrimaryCache();
    vms.addIndexer(
        BY_NODE, vm -> Optional.ofNullable(vm.getStatus().getNodeName()).stream().toList());
    // Not placed, or placed but unable to start again: they want to hear about freed capacity.
    vms.addIndexer(
        WAITING, vm -> vm.getStatus().isTrue(ConditionTypes.SCHEDULED) ? List.of() : List.of(""));
    vms.addIndexer(BY_POOL, vm -> Optional.ofNullable(poolKey(vm)).stream().toList());
    nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraNode.class, EraVM.class)
                .withName("eranodes")
                .withSecondaryToPrimaryMapper(this::vmsAffectedBy)
                .withOnUpdateFilter(this::nodeChangeMatters)
                .build(),
            context);
    pools =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraPool.class, EraVM.class)
                .withName("erapools")
                .withSecondaryToPrimaryMapper(this::vmsAffectedBy)
                .build(),
            context);
    capacityFreed = new CapacityFreed(this::waitingVms);
    metrics.watchVmPhases(() -> vms.list());
    List<EventSource<?, EraVM>> sources = new ArrayList<>(List.of(nodes, pools, capacityFreed));
    sources.addAll(scheduling.eventSources(context));
    return sources;
  }

  @Override
  public UpdateControl<EraVM> reconcile(EraVM vm, Context<EraVM> context) throws Exception {
    return metrics.reconcile(NAME, () -> reconcileVm(vm, context));
  }

  private UpdateControl<EraVM> reconcileVm(EraVM vm, Context<EraVM> context) {
    Instant now = Instant.now();
    Map<String, NodeState> nodeStates = nodeStates(now);
    EraVM read = client.getKubernetesSerialization().clone(vm);
    boolean heldCapacity = CapacityLedger.holdsCapacity(vm);
    vm.getStatus().setObservedGeneration(vm.getMetadata().getGeneration());

    Optional<String> placed = scheduling.nodeOf(vm);
    if (!validation.passes(vm, placed, now)) {
      write(read, vm, context, heldCapacity);
      return UpdateControl.noUpdate();
    }

    TtlVerdict ttl = TtlVerdict.of(vm, now);
    if (ttl.delete()) {
      expiry.delete(vm, ttl);
      return UpdateControl.noUpdate();
    }
    expiry.mark(vm, ttl, now);

    Optional<Instant> recheck = Optional.empty();
    if (placed.isPresent()) {
      NodeState node = nodeStates.get(placed.get());
      Optional<String> lost =
          NodeState.lost(placed.get(), node, now).or(() -> scheduling.placeLost(vm));
      if (lost.isPresent()) {
        nodeLoss.handle(vm, lost.get(), now);
      } else {
        recheck = Optional.of(scheduling.keep(vm, node, now));
      }
    }
    if (scheduling.nodeOf(vm).isEmpty()) {
      recheck = Optional.of(scheduling.place(vm, nodeStates, now));
    }

    write(read, vm, context, heldCapacity);
    UpdateControl<EraVM> control = UpdateControl.noUpdate();
    Stream.concat(recheck.stream(), ttl.nextCheck().stream())
        .min(Instant::compareTo)
        .ifPresent(at -> control.rescheduleAfter(untilOrNow(now, at)));
    return control;
  }

  /** Writes what the steps changed; capacity the write frees goes to the waiting VMs at once. */
  private void write(EraVM read, EraVM vm, Context<EraVM> context, boolean heldCapacity) {
    PrimaryWrites.writer(client, context).writeChanges(read, vm);
    if (ledger.written(vm, heldCapacity)) {
      capacityFreed.wakeWaiting();
    }
  }

  /**
   * A VM being deleted keeps its finalizer until its node agent reports it torn down (condition
   * {@link ConditionTypes#TORN_DOWN}), unless no agent will: it was never placed, or its node is
   * lost.
   */
  @Override
  public DeleteControl cleanup(EraVM vm, Context<EraVM> context) throws Exception {
    return metrics.reconcile(NAME, () -> cleanUp(vm, context));
  }

  private DeleteControl cleanUp(EraVM vm, Context<EraVM> context) {
    if (vm.getStatus().isTrue(ConditionTypes.TORN_DOWN)) {
      return release(vm, context);
    }
    Instant now = Instant.now();
    Optional<String> node = scheduling.nodeOf(vm);
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
    return release(vm, context);
  }

  /**
   * Removes the finalizer with our own write rather than java-operator-sdk's: after its own
   * removal, the SDK (5.3.2) marks the name as processed for deletion, and when the delete event
   * was handled first (it is, whenever it comes during the write) that mark outlives the object, so
   * an EraVM created again under the name would never be reconciled.
   */
  private DeleteControl release(EraVM vm, Context<EraVM> context) {
    PrimaryWrites.writer(client, context)
        .write(vm, v -> v.getMetadata().getFinalizers().remove(Finalizers.VM_CLEANUP));
    return DeleteControl.noFinalizerRemoval();
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

  /**
   * VMs naming the pool (one waiting for it to exist, or bound to it against another template) and
   * VMs waiting for room (the pool may hold less now).
   */
  private Set<ResourceID> vmsAffectedBy(EraPool pool) {
    Set<ResourceID> ids = new HashSet<>();
    vms.byIndex(BY_POOL, pool.getMetadata().getNamespace() + "/" + pool.getMetadata().getName())
        .forEach(vm -> ids.add(ResourceID.fromResource(vm)));
    ids.addAll(waitingVms());
    return ids;
  }

  private Optional<EraPool> poolOf(EraVM vm) {
    return pools.get(new ResourceID(vm.getSpec().getPool(), vm.getMetadata().getNamespace()));
  }

  /** Nodes whose ready guests of the VM's pool outnumber the pool's VMs on their way there. */
  private Set<String> warmNodes(EraVM vm) {
    ResourceID self = ResourceID.fromResource(vm);
    Map<String, Long> coming =
        vms.byIndex(BY_POOL, poolKey(vm)).stream()
            .filter(other -> !ResourceID.fromResource(other).equals(self))
            .filter(other -> BINDING.contains(other.getStatus().getPhase()))
            .flatMap(other -> scheduling.nodeOf(other).stream())
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    String namespace = vm.getMetadata().getNamespace();
    return nodes
        .list()
        .filter(
            n ->
                n.getStatus().readyGuests(namespace, vm.getSpec().getPool())
                    > coming.getOrDefault(n.getMetadata().getName(), 0L))
        .map(n -> n.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  /** The VMs of a warm pod's pool waiting for a place, which the pod may give them. */
  private Set<ResourceID> waitingForWarmPod(Pod pod) {
    return PodOwners.of(pod, EraPool.class).stream()
        .flatMap(
            pool ->
                vms
                    .byIndex(BY_POOL, pool.getNamespace().orElseThrow() + "/" + pool.getName())
                    .stream())
        .filter(vm -> !vm.getStatus().isTrue(ConditionTypes.SCHEDULED))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static String poolKey(EraVM vm) {
    String pool = vm.getSpec().getPool();
    return pool == null ? null : vm.getMetadata().getNamespace() + "/" + pool;
  }

  private Set<ResourceID> waitingVms() {
    return vms.byIndex(WAITING, "").stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  /**
   * Heartbeats alone do not wake every VM; a change in readiness, capacity, health or ready warm
   * guests does.
   */
  private boolean nodeChangeMatters(EraNode updated, EraNode old) {
    Instant now = Instant.now();
    NodeState before = NodeState.of(old, now, config);
    NodeState after = NodeState.of(updated, now, config);
    return before.schedulable() != after.schedulable()
        || !before.capacity().equals(after.capacity())
        || !before.unhealthySince().equals(after.unhealthySince())
        || !updated.getStatus().getPools().equals(old.getStatus().getPools())
        || updated.isMarkedForDeletion();
  }

  private static Duration untilOrNow(Instant now, Instant at) {
    Duration d = Duration.between(now, at);
    return d.isNegative() ? Duration.ZERO : d.plusMillis(100);
  }
}
