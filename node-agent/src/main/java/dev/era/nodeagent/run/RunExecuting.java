package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.EraRunSpec;
import dev.era.api.EraVM;
import dev.era.api.Reasons;
import dev.era.api.RunEnvVar;
import dev.era.api.Times;
import dev.era.kube.ResourceWriter;
import dev.era.launcher.ExecRequest;
import dev.era.launcher.ExecResult;
import dev.era.launcher.Execution;
import dev.era.launcher.LaunchException;
import dev.era.launcher.VmExit;
import dev.era.launcher.VmHandle;
import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunOutcome;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Runs a claimed run in its VM: stages its files ({@link RunStaging}), starts its command, waits
 * for its end and finishes the run with the outcome ({@link ActiveRuns#finish}).
 */
final class RunExecuting {
  private static final Logger LOG = Logger.getLogger(RunExecuting.class);

  /** How long to wait for a VM's exit to be known after its channel broke mid-run. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(3);

  private final KubernetesClient client;
  private final RunStaging staging;
  private final ActiveRuns active;
  private final Executor executor;
  private final int logMaxBytes;

  RunExecuting(
      KubernetesClient client,
      RunStaging staging,
      ActiveRuns active,
      Executor executor,
      int logMaxBytes) {
    this.client = client;
    this.staging = staging;
    this.active = active;
    this.executor = executor;
    this.logMaxBytes = logMaxBytes;
  }

  /** Blocks until the run's command has ended. */
  void execute(ActiveRun a) {
    EraRun run = a.run;
    EraRunSpec spec = run.getSpec();
    RunOutcome outcome;
    try {
      if (active.abandoned(a)) {
        a.log.finish(); // deleted, or the agent stops, before anything ran
        return;
      }
      // Beside the command, not before it: the idle TTL needs no more precision than that.
      executor.execute(() -> markVmUsed(run));
      staging.stage(run, a.vm);
      Execution execution = a.vm.start(a.execId, request(spec), a.log);
      a.execution = execution;
      if (a.cancelled) {
        execution.signal(ActiveRuns.SIGKILL);
      }
      outcome = outcome(execution, a.log, a.vm, spec);
    } catch (StagingException e) {
      outcome = RunOutcomes.failed(Reasons.STAGING_FAILED, e.getMessage(), Instant.now());
    } catch (LaunchException e) {
      outcome = lost(a.vm, e);
    } catch (RuntimeException e) {
      LOG.errorf(e, "run %s/%s failed in the node agent", a.namespace(), a.name());
      outcome =
          RunOutcomes.failed(
              Reasons.EXEC_FAILED, "the node agent failed running it: " + e, Instant.now());
    }
    active.finish(a, outcome);
  }

  /** Waits for the command's end. */
  static RunOutcome outcome(Execution execution, RunLog log, VmHandle vm, EraRunSpec spec) {
    try {
      ExecResult result = execution.result().join();
      return RunOutcomes.of(result, log, spec.getTimeoutSeconds(), Instant.now());
    } catch (CompletionException e) {
      return lost(vm, e.getCause() != null ? e.getCause() : e);
    }
  }

  private ExecRequest request(EraRunSpec spec) {
    List<String> argv = spec.getCommand();
    Map<String, String> env = new LinkedHashMap<>();
    for (RunEnvVar var : spec.getEnv()) {
      env.put(var.getName(), var.getValue());
    }
    // The run's log keeps the output on disk and its tails: the launcher need not hold it too.
    return new ExecRequest(
        argv,
        argv.isEmpty() ? spec.getShell() : null,
        env,
        spec.getWorkingDir(),
        null,
        Duration.ofSeconds(spec.getTimeoutSeconds()),
        logMaxBytes,
        true);
  }

  /** Why a command's end was not reported: the VM went away, or the guest refused it. */
  private static RunOutcome lost(VmHandle vm, Throwable failure) {
    Instant now = Instant.now();
    Optional<VmExit> exit = exitOf(vm);
    if (exit.isPresent()) {
      return exit.get().requested()
          ? RunOutcomes.failed(Reasons.VM_STOPPED, "the VM was stopped while the run ran", now)
          : RunOutcomes.failed(
              Reasons.VM_DIED, "the VM died while the run ran: " + exit.get().reason(), now);
    }
    return RunOutcomes.failed(Reasons.EXEC_FAILED, failure.getMessage(), now);
  }

  private static Optional<VmExit> exitOf(VmHandle vm) {
    if (vm.isAlive()) {
      return Optional.empty();
    }
    try {
      return Optional.of(vm.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException | ExecutionException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** status.lastRunAt of the VM (its idle TTL counts from there); advisory. */
  private void markVmUsed(EraRun run) {
    try {
      EraVM vm =
          client
              .resources(EraVM.class)
              .inNamespace(run.getMetadata().getNamespace())
              .withName(run.getSpec().getVmName())
              .get();
      if (vm != null) {
        String now = Times.format(Instant.now());
        ResourceWriter.<EraVM>direct(client).write(vm, v -> v.getStatus().setLastRunAt(now));
      }
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "cannot record lastRunAt on EraVM %s: %s", run.getSpec().getVmName(), e.getMessage());
    }
  }
}
