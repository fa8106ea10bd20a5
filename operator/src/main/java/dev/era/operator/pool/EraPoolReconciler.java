package dev.era.operator.pool;

import dev.era.api.Accelerator;
import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraPoolValidator;
import dev.era.api.EraVM;
import dev.era.api.PoolNodeShare;
import dev.era.api.Reasons;
import dev.era.api.ReservationPods;
import dev.era.kube.EventRecorder;
import dev.era.operator.EraControllers;
import dev.era.operator.EraOperatorConfig;
import dev.era.operator.EraOperatorConfig.PlacementMode;
import dev.era.operator.OperatorMetrics;
import dev.era.operator.PrimaryWrites;
import dev.era.operator.placement.CapacityLedger;
import dev.era.operator.placement.NodeState;
import dev.era.operator.placement.PodOwners;
import dev.era.operator.placement.ReservationPodSpec;
import dev.era.operator.placement.Resources;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides how many of each pool's guests each node keeps (status.nodes, which the node agents act
 * on; see {@link PoolAssignment}) and reports the pool: ready guests as the node agents count them
 * in their EraNodes, EraVMs bound to one, and the Ready condition. It never boots or hands out a
 * guest: each node agent owns the guests of its node.
 *
 * <p>Where kube-scheduler places VMs (placement {@code pods}), each guest holds a warm pod of its
 * own ({@link WarmPods}), and the nodes kube-scheduler binds them to are the shares. Where the
 * operator places them (its ledger), a guest holds its node's room like a VM: {@link
 * CapacityLedger} counts the pools' shares when it places EraVMs, and the shares here leave room
 * for the VMs placed already ({@link PoolAssignment}). The two decisions are made by two
 * controllers and may cross; the node agent boots a guest only where it fits, so a crossing shows
 * as a pool that stays Filling, never as an overfull node.
 */
@ControllerConfiguration(name = EraPoolReconciler.NAME)
public class EraPoolReconciler implements Reconciler<EraPool> {
  public static final String NAME = "erapool";

  private static final int SUFFIX_BYTES = 6;
  private static final int TEMPLATE_HASH_DIGITS = 16;

  private final KubernetesClient client;
  private final EraOperatorConfig config;
  private final OperatorMetrics metrics;
  private final EventRecorder events;
  private IndexerResourceCache<EraPool> pools;
  private InformerEventSource<EraNode, EraPool> nodes;
  private InformerEventSource<EraVM, EraPool> vms;
  private InformerEventSource<Pod, EraPool> warmPods;

  public EraPoolReconciler(
      KubernetesClient client, EraOperatorConfig config, OperatorMetrics metrics) {
    this.client = client;
    this.config = config;
    this.metrics = metrics;
    this.events = new EventRecorder(client, EraControllers.COMPONENT, null);
  }

  @Override
  public List<EventSource<?, EraPool>> prepareEventSources(EventSourceContext<EraPool> context) {
    pools = context.getPrimaryCache();
    nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraNode.class, EraPool.class)
                .withName("eranodes")
                .withSecondaryToPrimaryMapper(node -> allPools())
                .withOnUpdateFilter(EraPoolReconciler::nodeChangeMatters)
                .build(),
            context);
    vms =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraVM.class, EraPool.class)
                .withName("eravms")
                .withSecondaryToPrimaryMapper(this::poolsAffectedBy)
                .build(),
            context);
    if (config.placement() == PlacementMode.ledger) {
      return List.of(nodes, vms);
    }
    warmPods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, EraPool.class)
                .withName("warm-pods")
                .withLabelSelector(ReservationPods.POOL_UID_LABEL)
                .withSecondaryToPrimaryMapper(pod -> PodOwners.of(pod, EraPool.class))
                .build(),
            context);
    return List.of(nodes, vms, warmPods);
  }

  @Override
  public UpdateControl<EraPool> reconcile(EraPool pool, Context<EraPool> context) throws Exception {
    return metrics.reconcile(NAME, () -> reconcilePool(pool, context));
  }

  private UpdateControl<EraPool> reconcilePool(EraPool pool, Context<EraPool> context) {
    Instant now = Instant.now();
    EraPool read = client.getKubernetesSerialization().clone(pool);
    String namespace = pool.getMetadata().getNamespace();
    String name = pool.getMetadata().getName();
    int ready = nodes.list().mapToInt(n -> n.getStatus().readyGuests(namespace, name)).sum();
    int claimed = claimed(namespace, name);
    List<String> problems = EraPoolValidator.validate(pool.getSpec());
    boolean noRoom = false;
    if (!problems.isEmpty()) {
      String message = String.join("; ", problems);
      if (!pool.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID)) {
        events.warning(pool, Reasons.INVALID, message);
      }
      PoolStatusReport.invalid(pool, message, ready, claimed, now);
      if (config.placement() == PlacementMode.pods) {
        keepWarmPods(pool, 0, now);
      }
    } else {
      if (config.placement() == PlacementMode.ledger) {
        List<PoolAssignment.Candidate> candidates = candidates(pool, now);
        List<PoolNodeShare> shares =
            PoolAssignment.assign(
                pool.getSpec().getReplicas(),
                Resources.of(pool.getSpec().getTemplate()),
                candidates,
                pool.getStatus().getNodes());
        String where =
            "on the " + candidates.size() + " schedulable nodes the pool's node selector matches";
        PoolStatusReport.apply(pool, shares, ready, claimed, Optional.of(where), now);
      } else {
        WarmPods.Plan plan = keepWarmPods(pool, pool.getSpec().getReplicas(), now);
        PoolStatusReport.apply(
            pool,
            plan.shares(),
            ready,
            claimed,
            plan.unschedulable().map(why -> "as kube-scheduler says: " + why),
            now);
      }
      noRoom = pool.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.NO_ROOM);
    }
    markWarmPods(pool);
    PrimaryWrites.writer(client, context).writeChanges(read, pool);
    UpdateControl<EraPool> control = UpdateControl.noUpdate();
    // Room also frees up without an event this controller hears of (a VM stops on a node).
    return noRoom ? control.rescheduleAfter(config.unschedulableRetry()) : control;
  }

  /**
   * Creates and deletes the pool's warm pods as {@link WarmPods} plans (none for an invalid pool).
   * A failed request is an event, and the next reconcile tries again.
   */
  private WarmPods.Plan keepWarmPods(EraPool pool, int replicas, Instant now) {
    String uid = pool.getMetadata().getUid();
    List<Pod> pods =
        warmPods
            .list(pool.getMetadata().getNamespace())
            .filter(
                p -> uid.equals(p.getMetadata().getLabels().get(ReservationPods.POOL_UID_LABEL)))
            .toList();
    String templateHash = templateHash(pool);
    WarmPods.Plan plan = WarmPods.plan(replicas, templateHash, pods);
    Accelerator accelerator =
        ReservationPodSpec.acceleratorFor(
            (String) null, nodes.list().toList(), n -> NodeState.of(n, now, config).schedulable());
    try {
      for (Pod pod : plan.delete()) {
        client.pods().resource(pod).delete();
      }
      for (int i = 0; i < plan.create(); i++) {
        Pod created =
            client
                .pods()
                .resource(
                    ReservationPodSpec.forPool(
                        pool,
                        ReservationPodSpec.randomHex(SUFFIX_BYTES),
                        templateHash,
                        accelerator,
                        ReservationPodSpec.randomHex(ReservationPodSpec.TOKEN_BYTES),
                        config))
                .create();
        warmPods.handleRecentResourceCreate(ResourceID.fromResource(created), created);
      }
    } catch (KubernetesClientException e) {
      events.warning(
          pool, Reasons.RESERVATION_POD_FAILED, "could not keep the warm pods: " + e.getMessage());
    }
    return plan;
  }

  /** Tells the node agents whether the pool's guests wait in warm pods. */
  private void markWarmPods(EraPool pool) {
    if (config.placement() == PlacementMode.pods) {
      if (pool.getMetadata().getAnnotations() == null) {
        pool.getMetadata().setAnnotations(new HashMap<>());
      }
      pool.getMetadata().getAnnotations().put(ReservationPods.WARM_PODS_ANNOTATION, "true");
    } else if (pool.getMetadata().getAnnotations() != null) {
      pool.getMetadata().getAnnotations().remove(ReservationPods.WARM_PODS_ANNOTATION);
    }
  }

  private String templateHash(EraPool pool) {
    try {
      byte[] json =
          client
              .getKubernetesSerialization()
              .asJson(pool.getSpec().getTemplate())
              .getBytes(StandardCharsets.UTF_8);
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(json))
          .substring(0, TEMPLATE_HASH_DIGITS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Schedulable nodes the selector matches, with what the VMs and other pools leave free. */
  private List<PoolAssignment.Candidate> candidates(EraPool pool, Instant now) {
    Map<String, Resources> used = new HashMap<>();
    vms.list()
        .filter(CapacityLedger::holdsCapacity)
        .filter(vm -> vm.getStatus().getNodeName() != null)
        .forEach(
            vm ->
                used.merge(
                    vm.getStatus().getNodeName(), Resources.of(vm.getSpec()), Resources::plus));
    ResourceID self = ResourceID.fromResource(pool);
    pools
        .list()
        .filter(other -> !ResourceID.fromResource(other).equals(self))
        .forEach(other -> PoolShares.addTo(used, other));
    Map<String, String> selector = pool.getSpec().getNodeSelector();
    return nodes
        .list()
        .filter(n -> matches(n, selector))
        .map(n -> NodeState.of(n, now, config))
        .filter(NodeState::schedulable)
        .map(
            n ->
                new PoolAssignment.Candidate(
                    n.name(), n.capacity().minus(used.getOrDefault(n.name(), Resources.ZERO))))
        .toList();
  }

  private int claimed(String namespace, String pool) {
    return (int)
        vms.list()
            .filter(vm -> namespace.equals(vm.getMetadata().getNamespace()))
            .filter(vm -> pool.equals(vm.getSpec().getPool()))
            .filter(vm -> vm.getStatus().getWarmGuest() != null && !vm.isMarkedForDeletion())
            .count();
  }

  private static boolean matches(EraNode node, Map<String, String> selector) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return selector.entrySet().stream()
        .allMatch(e -> labels != null && Objects.equals(labels.get(e.getKey()), e.getValue()));
  }

  private Set<ResourceID> allPools() {
    return pools.list().map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  /** The VM's pool (its claims), and the pools short of room (the VM may hold less now). */
  private Set<ResourceID> poolsAffectedBy(EraVM vm) {
    Set<ResourceID> ids = new HashSet<>();
    if (vm.getSpec().getPool() != null) {
      ids.add(new ResourceID(vm.getSpec().getPool(), vm.getMetadata().getNamespace()));
    }
    pools
        .list()
        .filter(p -> p.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.NO_ROOM))
        .forEach(p -> ids.add(ResourceID.fromResource(p)));
    return ids;
  }

  /** Heartbeats alone change nothing here; ready guests, readiness, capacity and labels do. */
  private static boolean nodeChangeMatters(EraNode updated, EraNode old) {
    return !updated.getStatus().getPools().equals(old.getStatus().getPools())
        || updated.getStatus().isTrue(ConditionTypes.READY)
            != old.getStatus().isTrue(ConditionTypes.READY)
        || !Resources.of(updated.getStatus().getCapacity())
            .equals(Resources.of(old.getStatus().getCapacity()))
        || !Objects.equals(updated.getMetadata().getLabels(), old.getMetadata().getLabels())
        || updated.isMarkedForDeletion();
  }
}
