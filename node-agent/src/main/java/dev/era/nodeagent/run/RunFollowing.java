package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.Reasons;
import dev.era.kube.ResourceWriter.Result;
import dev.era.launcher.LaunchException;
import dev.era.launcher.VmHandle;
import dev.era.nodeagent.logs.OutputTail;
import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunOutcome;
import dev.era.nodeagent.logs.RunRecord;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs left Running by an earlier agent, across a restart. A run this agent did not claim itself is
 * never started again: it is followed to its end when its command outlived the agent that claimed
 * it, or reported.
 */
final class RunFollowing {
  private static final Logger LOG = Logger.getLogger(RunFollowing.class);

  private final RunContext context;

  RunFollowing(RunContext context) {
    this.context = context;
  }

  /**
   * A run left Running by an earlier agent: its recorded outcome when it had one; else, when its
   * command is still known in its re-adopted VM (running, or ended since), followed to the end as
   * if this agent had started it; else Failed with reason AgentRestarted.
   */
  void recover(EraRun run) {
    String namespace = run.getMetadata().getNamespace();
    Optional<RunRecord> record =
        context
            .logs()
            .record(namespace, name(run))
            .filter(
                r -> r.uid().equals(run.getMetadata().getUid())); // not an older run's of that name
    Optional<RunOutcome> recorded = record.map(RunRecord::outcome);
    if (record.isPresent() && recorded.isEmpty() && follow(run)) {
      return;
    }
    RunOutcome outcome =
        recorded.orElseGet(
            () ->
                RunOutcomes.failed(
                    Reasons.AGENT_RESTARTED,
                    "the node agent on "
                        + context.nodeName()
                        + " restarted while the run was running; its result is"
                        + " unknown (the command may have run in part); output up to the restart is in the logs",
                    Instant.now()));
    Result written =
        context
            .status()
            .finish(
                run,
                outcome,
                tail(run, record, RunLog.Stream.stdout),
                tail(run, record, RunLog.Stream.stderr));
    if (written == Result.WRITTEN && recorded.isEmpty()) {
      context.logs().recordOutcome(namespace, name(run), outcome);
      context.events().warning(run, outcome.reason(), outcome.message());
    }
  }

  /** Attaches to the run's command in its VM; false when the guest no longer knows it. */
  private boolean follow(EraRun run) {
    String namespace = run.getMetadata().getNamespace();
    Integer execId = run.getStatus().getExecId();
    Optional<VmHandle> vm = context.vms().running(namespace, run.getSpec().getVmName());
    if (execId == null || vm.isEmpty()) {
      return false;
    }
    Optional<ActiveRun> added = context.active().add(run, vm.get(), execId);
    if (added.isEmpty()) {
      return true;
    }
    ActiveRun a = added.get();
    try {
      a.log = context.logs().resume(namespace, name(run));
      a.execution = vm.get().attach(execId, context.logMaxBytes(), true, a.log);
    } catch (LaunchException | UncheckedIOException e) {
      LOG.infof(
          "run %s/%s was running when the agent restarted and cannot be followed: %s",
          namespace, name(run), e.getMessage());
      if (a.log != null) {
        context.logs().release(namespace, name(run), a.log);
      }
      context.active().remove(a);
      return false;
    }
    LOG.infof("following run %s/%s, which outlived the previous agent", namespace, name(run));
    context
        .executor()
        .execute(
            () ->
                context
                    .active()
                    .finish(a, RunExecuting.outcome(a.execution, a.log, vm.get(), run.getSpec())));
    return true;
  }

  private OutputTail tail(EraRun run, Optional<RunRecord> record, RunLog.Stream stream) {
    return record.isPresent()
        ? context.logs().tailOnDisk(run.getMetadata().getNamespace(), name(run), stream)
        : context.logs().emptyTail();
  }

  private static String name(EraRun run) {
    return run.getMetadata().getName();
  }
}
