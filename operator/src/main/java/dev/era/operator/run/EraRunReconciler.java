package dev.era.operator.run;

import dev.era.api.ConditionTypes;
import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraRunStatus;
import dev.era.api.EraRunValidator;
import dev.era.api.EraVM;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.operator.Changes;
import dev.era.operator.EraOperatorConfig;
import dev.era.api.EventRecorder;
import dev.era.operator.EraControllers;
import dev.era.operator.OperatorMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates EraRuns, hands each one to its VM's node once the VM is Running (label {@link
 * Labels#NODE} and status.nodeName; the phase stays Pending for the node agent to move), fails runs
 * whose VM is missing, stopped or failed, and deletes finished runs after {@link
 * EraOperatorConfig#finishedRunTtl()}.
 *
 * <p>It reconciles on status changes too, since a run finished by the node agent starts its
 * garbage-collection clock.
 */
@ControllerConfiguration(name = EraRunReconciler.NAME, generationAwareEventProcessing = false)
public class EraRunReconciler implements Reconciler<EraRun> {
  public static final String NAME = "erarun";
  private static final String BY_VM = "era-by-vm";

  private final KubernetesClient client;
  private final EraOperatorConfig config;
  private final OperatorMetrics metrics;
  private final EventRecorder events;
  private IndexerResourceCache<EraRun> runs;

  public EraRunReconciler(KubernetesClient client, EraOperatorConfig config, OperatorMetrics metrics) {
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
    PrimaryToSecondaryMapper<EraRun> runToVm =
        run ->
            run.getSpec().getVmName() == null
                ? Set.of()
                : Set.of(new ResourceID(run.getSpec().getVmName(), run.getMetadata().getNamespace()));
    var vmSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EraVM.class, EraRun.class)
                .withName("eravms")
                .withPrimaryToSecondaryMapper(runToVm)
                .withSecondaryToPrimaryMapper(
                    vm ->
                        runs.byIndex(BY_VM, vmKey(vm.getMetadata().getNamespace(), vm.getMetadata().getName()))
                            .stream()
                            .filter(run -> !run.getStatus().getPhase().isFinished())
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    return List.of(vmSource);
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
    Changes<EraRun> changes = new Changes<>(run, client);
    status.setObservedGeneration(run.getMetadata().getGeneration());
    List<String> problems = EraRunValidator.validate(run.getSpec());
    if (!problems.isEmpty()) {
      String message = String.join("; ", problems);
      status.setCondition(ConditionTypes.READY, false, Reasons.INVALID, message, now);
      fail(run, Reasons.INVALID, message, now);
      return written(changes, run, context);
    }
    if (status.getPhase() == EraRunPhase.Running) {
      return written(changes, run, context); // the node agent's now
    }
    Optional<EraVM> vm = context.getSecondaryResource(EraVM.class);
    if (vm.isEmpty()) {
      fail(
          run,
          Reasons.VM_NOT_FOUND,
          "EraVM " + run.getSpec().getVmName() + " does not exist in namespace "
              + run.getMetadata().getNamespace(),
          now);
      return written(changes, run, context);
    }
    RunGate gate = RunGate.of(vm.get());
    boolean dispatched = status.getNodeName() != null;
    if (gate instanceof RunGate.Fail f) {
      fail(run, f.reason(), f.message(), now);
    } else if (dispatched) {
      return written(changes, run, context); // waiting for the node agent to start it
    } else if (gate instanceof RunGate.Dispatch d) {
      if (run.getMetadata().getLabels() == null) {
        run.getMetadata().setLabels(new HashMap<>());
      }
      run.getMetadata().getLabels().put(Labels.NODE, d.node());
      status.setNodeName(d.node());
      status.setReason(Reasons.DISPATCHED);
      status.setMessage("handed to the node agent on " + d.node());
    } else if (gate instanceof RunGate.Wait w) {
      status.setReason(Reasons.WAITING_FOR_VM);
      status.setMessage(w.message());
      changes.write(run, context);
      return UpdateControl.<EraRun>noUpdate().rescheduleAfter(config.runWaitRecheck());
    }
    return written(changes, run, context);
  }

  /** Writes the changes; a run this reconcile finished comes back when it is due for deletion. */
  private UpdateControl<EraRun> written(
      Changes<EraRun> changes, EraRun run, Context<EraRun> context) {
    changes.write(run, context);
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

  private static String vmKey(String namespace, String name) {
    return namespace + "/" + name;
  }
}
