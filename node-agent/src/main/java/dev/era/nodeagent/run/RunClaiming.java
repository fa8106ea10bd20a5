package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.Reasons;
import dev.era.kube.ResourceWriter.Result;
import dev.era.launcher.LaunchException;
import dev.era.launcher.VmHandle;
import dev.era.nodeagent.logs.RunOutcome;
import java.time.Instant;
import java.util.Optional;

/**
 * Claims a Pending run for this agent before anything happens in the guest: Pending → Running with
 * optimistic locking, recording the guest's id for its command, so that the run runs at most once.
 * A run whose VM is not running here fails instead.
 */
final class RunClaiming {
  private final RunContext context;

  RunClaiming(RunContext context) {
    this.context = context;
  }

  /**
   * @return the run, now this agent's and active; empty when it cannot run here (it is Failed now),
   *     this agent claimed it already, or another claim won
   */
  Optional<ActiveRun> claim(EraRun run) {
    String vmName = run.getSpec().getVmName();
    Optional<VmHandle> vm = context.vms().running(run.getMetadata().getNamespace(), vmName);
    if (vm.isEmpty()) {
      reject(
          run,
          RunOutcomes.failed(
              Reasons.VM_NOT_RUNNING,
              "EraVM " + vmName + " is not running on node " + context.nodeName(),
              Instant.now()));
      return Optional.empty();
    }
    int execId;
    try {
      execId = vm.get().newExecId();
    } catch (LaunchException e) {
      reject(run, RunOutcomes.failed(Reasons.VM_NOT_RUNNING, e.getMessage(), Instant.now()));
      return Optional.empty();
    }
    // Empty: a stale copy from the cache, and this agent claimed it already.
    Optional<ActiveRun> claimed = context.active().add(run, vm.get(), execId);
    if (claimed.isPresent()
        && context
                .status()
                .claim(run, execId, "running in EraVM " + vmName + " on node " + context.nodeName())
            != Result.WRITTEN) {
      context.active().remove(claimed.get());
      return Optional.empty();
    }
    return claimed;
  }

  private void reject(EraRun run, RunOutcome outcome) {
    if (context.status().reject(run, outcome) == Result.WRITTEN) {
      context.events().warning(run, outcome.reason(), outcome.message());
    }
  }
}
