package dev.era.operator.run;

import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraRunStatus;
import dev.era.api.EraRunValidator;
import dev.era.api.EraVM;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.kube.EventRecorder;
import dev.era.operator.EraControllers;
import dev.era.operator.EraOperatorConfig;
import dev.era.operator.OperatorMetrics;
import dev.era.operator.PrimaryWrites;
import dev.era.operator.placement.NodeState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates EraRuns, hands each one to its VM's node once the VM is Running (label {@link
 * Labels#NODE} and status.nodeName; the phase stays Pending for the node agent to move), fails runs
 * whose VM is missing, stopped or failed, fails Running runs whose node is lost ({@link
 * NodeState#lost}, the rule the VM controller applies), and deletes finished runs after {@link
 * EraOperatorConfig#finishedRunTtl()}.
 *
 * <p>It reconciles on status changes too, since a run finished by the node agent starts its
 * garbage-collection clock.
 */
@ControllerConfiguration(name = EraRunReconciler.NAME, generationAwareEventProcessing = false)
public class EraRunReconciler implements Reconciler<EraRun> {
  public static final String NAME = "erarun";
  private static final String BY_VM = "era-by-vm";
  private static final String BY_NODE = "era-by-node";

  private final KubernetesClient client;
  private final EraOperatorConfig config;
  private final OperatorMetrics metrics;
  private final EventRecorder events;
  private IndexerResourceCache<EraRun> runs;
  private InformerEventSource<EraNode, EraRun> nodes;

  public EraRunReconciler(
      KubernetesClient client, EraOperatorConfig config, OperatorMetrics metrics) {
    this.client = client;
    this.config = config;
    this.metrics = metrics;
    this.events = new EventRecorder(client, EraControllers.COMPONENT, null);
  }

  @Override
  public List<EventSource<?, EraRun>> prepareEventSources(EventSourceContext<EraRun> context) {
    runs = context.getPrimaryCache();
    runs.addIndexer(
        BY_VM, run -> List.of(vmKey(run.getMetadata().getNamespace(), run.getSpec().getVmName())));
    runs.addIndexer(
        BY_NODE, run -> Optional.ofNullable(run.getStatus().getNodeName()).stream().toList());
    PrimaryToSecondaryMapper<EraRun> runToVm =
        run ->
            run.getSpec().getVmName() == null
                ? Set.of()
                : Set.of(
                    new ResourceID(run.getSpec().getVmName(), run.getMetadata().getNamespace()));
    var vmSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraVM.class, EraRun.class)
                .withName("eravms")
                .withPrimaryToSecondaryMapper(runToVm)
                .withSecondaryToPrimaryMapper(
                    vm ->
                        runs
                            .byIndex(
                                BY_VM,
                                vmKey(vm.getMetadata().getNamespace(), vm.getMetadata().getName()))
                            .stream()
                            .filter(run -> !run.getStatus().getPhase().isFinished())
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    // Only Running runs depend on their node; heartbeats alone change nothing for them.
    nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraNode.class, EraRun.class)
                .withName("eranodes")
                .withSecondaryToPrimaryMapper(
                    node ->
                        runs.byIndex(BY_NODE, node.getMetadata().getName()).stream()
                            .filter(run -> run.getStatus().getPhase() == EraRunPhase.Running)
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withOnUpdateFilter(this::healthChanged)
                .build(),
            context);
    return List.of(vmSource, nodes);
  }

  @Override
  public UpdateControl<EraRun> reconcile(EraRun run, Context<EraRun> context) throws Exception {
    return metrics.reconcile(NAME, () -> reconcileRun(run, context));
  }

  private UpdateControl<EraRun> reconcileRun(EraRun run, Context<EraRun> context) {
    Instant now = Instant.now();
    EraRunStatus status = run.getStatus();
    if (status.getPhase().isFinished()) {
      return collectWhenDue(run, now);
    }
    EraRun read = client.getKubernetesSerialization().clone(run);
    status.setObservedGeneration(run.getMetadata().getGeneration());
    List<String> problems = EraRunValidator.validate(run.getSpec());
    if (!problems.isEmpty()) {
      String message = String.join("; ", problems);
      status.setCondition(ConditionTypes.READY, false, Reasons.INVALID, message, now);
      fail(run, Reasons.INVALID, message, now);
      return written(read, run, context);
    }
    if (status.getPhase() == EraRunPhase.Running) {
      return endIfNodeLost(run, read, context, now);
    }
    Optional<EraVM> vm = context.getSecondaryResource(EraVM.class);
    if (vm.isEmpty()) {
      return awaitMissingVm(run, read, context, now);
    }
    if (status.getNodeName() != null
        && !status.getNodeName().equals(vm.get().getStatus().getNodeName())) {
      // The VM left the node the run was handed to (it was lost), so the run follows the VM. That
      // node's agent claims only a run whose nodeName still names it, by a version-checked write
      // like this one: the run starts on one node at most.
      labelsOf(run).remove(Labels.NODE);
      status.setNodeName(null);
    }
    RunGate gate = RunGate.of(vm.get());
    boolean dispatched = status.getNodeName() != null;
    if (gate instanceof RunGate.Fail f) {
      fail(run, f.reason(), f.message(), now);
    } else if (dispatched) {
      return written(read, run, context); // waiting for the node agent to start it
    } else if (gate instanceof RunGate.Dispatch d) {
      labelsOf(run).put(Labels.NODE, d.node());
      status.setNodeName(d.node());
      status.setReason(Reasons.DISPATCHED);
      status.setMessage("handed to the node agent on " + d.node());
    } else if (gate instanceof RunGate.Wait w) {
      return waitForVm(run, read, context, w.message(), config.runWaitRecheck());
    }
    return written(read, run, context);
  }

  /**
   * A run whose VM does not exist waits for it a while before it fails: applied together (a
   * directory, GitOps), the run often comes first, and the VM's arrival wakes the run.
   */
  private UpdateControl<EraRun> awaitMissingVm(
      EraRun run, EraRun read, Context<EraRun> context, Instant now) {
    String missing =
        "EraVM "
            + run.getSpec().getVmName()
            + " does not exist in namespace "
            + run.getMetadata().getNamespace();
    Instant deadline =
        Times.parse(run.getMetadata().getCreationTimestamp())
            .orElse(now)
            .plus(config.missingVmGrace());
    if (!now.isBefore(deadline)) {
      fail(run, Reasons.VM_NOT_FOUND, missing, now);
      return written(read, run, context);
    }
    String message =
        missing + " (yet); the run fails at " + Times.format(deadline) + " unless it appears";
    Duration recheck = Duration.between(now, deadline).plusMillis(100);
    return waitForVm(
        run,
        read,
        context,
        message,
        recheck.compareTo(config.runWaitRecheck()) < 0 ? recheck : config.runWaitRecheck());
  }

  private UpdateControl<EraRun> waitForVm(
      EraRun run, EraRun read, Context<EraRun> context, String message, Duration recheck) {
    run.getStatus().setReason(Reasons.WAITING_FOR_VM);
    run.getStatus().setMessage(message);
    PrimaryWrites.writer(client, context).writeChanges(read, run);
    return UpdateControl.<EraRun>noUpdate().rescheduleAfter(recheck);
  }

  /**
   * A Running run is its node agent's to end, unless the node is lost: then no agent will, and the
   * run fails. It is never handed to another node, since its command may have run in part.
   */
  private UpdateControl<EraRun> endIfNodeLost(
      EraRun run, EraRun read, Context<EraRun> context, Instant now) {
    String node = run.getStatus().getNodeName();
    if (node == null) {
      return written(read, run, context);
    }
    NodeState state =
        nodes.get(new ResourceID(node)).map(n -> NodeState.of(n, now, config)).orElse(null);
    Optional<String> lost = NodeState.lost(node, state, now);
    if (lost.isPresent()) {
      String message = lost.get() + "; the run was running there and its outcome is unknown";
      fail(run, Reasons.NODE_LOST, message, now);
      return written(read, run, context);
    }
    // Silence makes no event: look again when the node would be lost.
    return written(read, run, context)
        .rescheduleAfter(Duration.between(now, state.lostAt()).plusMillis(100));
  }

  private boolean healthChanged(EraNode updated, EraNode old) {
    Instant now = Instant.now();
    return !NodeState.of(old, now, config)
        .unhealthySince()
        .equals(NodeState.of(updated, now, config).unhealthySince());
  }

  /** Writes the changes; a run this reconcile finished comes back when it is due for deletion. */
  private UpdateControl<EraRun> written(EraRun read, EraRun run, Context<EraRun> context) {
    PrimaryWrites.writer(client, context).writeChanges(read, run);
    UpdateControl<EraRun> control = UpdateControl.noUpdate();
    return run.getStatus().getPhase().isFinished()
        ? control.rescheduleAfter(config.finishedRunTtl().plusMillis(100))
        : control;
  }

  private void fail(EraRun run, String reason, String message, Instant now) {
    EraRunStatus status = run.getStatus();
    status.setPhase(EraRunPhase.Failed);
    status.setReason(reason);
    status.setMessage(message);
    status.setFinishedAt(Times.format(now));
    events.warning(run, reason, message);
  }

  /** Deletes a finished run once it has been finished for the configured TTL. */
  private UpdateControl<EraRun> collectWhenDue(EraRun run, Instant now) {
    Instant finished =
        Times.parse(run.getStatus().getFinishedAt())
            .or(() -> Times.parse(run.getMetadata().getCreationTimestamp()))
            .orElse(now);
    Duration left = Duration.between(now, finished.plus(config.finishedRunTtl()));
    if (left.isNegative() || left.isZero()) {
      client.resource(run).delete();
      return UpdateControl.noUpdate();
    }
    return UpdateControl.<EraRun>noUpdate().rescheduleAfter(left.plusMillis(100));
  }

  private static Map<String, String> labelsOf(EraRun run) {
    if (run.getMetadata().getLabels() == null) {
      run.getMetadata().setLabels(new HashMap<>());
    }
    return run.getMetadata().getLabels();
  }

  private static String vmKey(String namespace, String name) {
    return namespace + "/" + name;
  }
}
