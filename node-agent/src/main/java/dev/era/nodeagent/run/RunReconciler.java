package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Picks up the EraRuns the operator hands to this node (label {@code era.dev/node} and
 * status.nodeName) and runs them ({@link RunExecutions}); reports runs an earlier agent left
 * Running; ends and forgets deleted ones.
 */
@ControllerConfiguration(
    name = RunReconciler.NAME,
    generationAwareEventProcessing = false,
    triggerReconcilerOnAllEvents = true)
public final class RunReconciler implements Reconciler<EraRun> {
  public static final String NAME = "era-node-agent-run";

  private final RunExecutions executions;
  private final String nodeName;

  public RunReconciler(RunExecutions executions, String nodeName) {
    this.executions = executions;
    this.nodeName = nodeName;
  }

  @Override
  public UpdateControl<EraRun> reconcile(EraRun run, Context<EraRun> context) {
    if (context.isPrimaryResourceDeleted() || run.isMarkedForDeletion()) {
      executions.cancel(run);
      return UpdateControl.noUpdate();
    }
    // The operator writes the label, then status.nodeName: the run is ours once both say so.
    if (!nodeName.equals(run.getStatus().getNodeName())) {
      return UpdateControl.noUpdate();
    }
    EraRunPhase phase = run.getStatus().getPhase();
    if (phase == EraRunPhase.Pending) {
      executions.start(run);
    } else if (phase == EraRunPhase.Running && !executions.isActive(run)) {
      executions.recover(run);
    }
    return UpdateControl.noUpdate();
  }
}
