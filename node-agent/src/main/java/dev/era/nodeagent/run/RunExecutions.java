package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.EraRunSpec;
import dev.era.api.EraVM;
import dev.era.api.Reasons;
import dev.era.api.RunEnvVar;
import dev.era.api.RunFile;
import dev.era.api.Times;
import dev.era.kube.EventRecorder;
import dev.era.kube.ResourceWriter;
import dev.era.kube.ResourceWriter.Result;
import dev.era.launcher.ExecRequest;
import dev.era.launcher.ExecResult;
import dev.era.launcher.Execution;
import dev.era.launcher.LaunchException;
import dev.era.launcher.VmExit;
import dev.era.launcher.VmHandle;
import dev.era.nodeagent.logs.OutputTail;
import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunLogs;
import dev.era.nodeagent.logs.RunOutcome;
import dev.era.nodeagent.logs.RunRecord;
import dev.era.nodeagent.vm.VmRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs EraRuns in their VMs, each at most once: a run is claimed (Pending → Running, with
 * optimistic locking, recording the guest's id for its command) before anything happens in the
 * guest, and a run this agent did not claim itself is never started again, only followed to its end
 * when its command outlived the agent that claimed it. Several runs of one VM run at the same time,
 * each on its own thread.
 */
public final class RunExecutions implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RunExecutions.class);
  private static final int SIGKILL = 9;

  /** How long to wait for a VM's exit to be known after its channel broke mid-run. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(3);

  /** A run this agent claimed and has not finished. */
  private static final class ActiveRun {
    final EraRun run;
    volatile RunLog log;
    volatile Execution execution;
    volatile boolean cancelled;

    ActiveRun(EraRun run) {
      this.run = run;
    }
  }

  private final KubernetesClient client;
  private final VmRegistry vms;
  private final RunLogs logs;
  private final EventRecorder events;
  private final String nodeName;
  private final int logMaxBytes;
  private final RunStatusWriter status;
  private final FileSources files;
  private final Map<String, ActiveRun> active = new ConcurrentHashMap<>();
  private final ExecutorService executor;
  private volatile boolean closed;

  public RunExecutions(
      KubernetesClient client,
      VmRegistry vms,
      RunLogs logs,
      EventRecorder events,
      String nodeName,
      int logMaxBytes) {
    this.client = client;
    this.vms = vms;
    this.logs = logs;
    this.events = events;
    this.nodeName = nodeName;
    this.logMaxBytes = logMaxBytes;
    this.status = new RunStatusWriter(client, nodeName);
    this.files = new FileSources(client);
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "era-run-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public boolean isActive(EraRun run) {
    return active.containsKey(run.getMetadata().getUid());
  }

  /** Claims a Pending run of this node and runs it; does nothing when another claim won. */
  public void start(EraRun run) {
    String namespace = run.getMetadata().getNamespace();
    String vmName = run.getSpec().getVmName();
    Optional<VmHandle> vm = vms.running(namespace, vmName);
    if (vm.isEmpty()) {
      reject(
          run,
          RunOutcomes.failed(
              Reasons.VM_NOT_RUNNING,
              "EraVM " + vmName + " is not running on node " + nodeName,
              Instant.now()));
      return;
    }
    int execId;
    try {
      execId = vm.get().newExecId();
    } catch (LaunchException e) {
      reject(run, RunOutcomes.failed(Reasons.VM_NOT_RUNNING, e.getMessage(), Instant.now()));
      return;
    }
    String uid = run.getMetadata().getUid();
    ActiveRun a = new ActiveRun(run);
    if (active.putIfAbsent(uid, a) != null) {
      return; // a stale copy from the cache: this agent claimed it already
    }
    if (status.claim(run, execId, "running in EraVM " + vmName + " on node " + nodeName)
        != Result.WRITTEN) {
      active.remove(uid, a);
      return;
    }
    try {
      a.log =
          logs.create(
              namespace, name(run), new RunRecord(uid, vmName, Times.format(Instant.now()), null));
      executor.execute(() -> execute(a, vm.get(), execId));
    } catch (RuntimeException e) {
      finish(
          a,
          RunOutcomes.failed(
              Reasons.EXEC_FAILED,
              "the node agent could not start the run: " + e.getMessage(),
              Instant.now()));
    }
  }

  /**
   * A run left Running by an earlier agent: its recorded outcome when it had one; else, when its
   * command is still known in its re-adopted VM (running, or ended since), followed to the end as
   * if this agent had started it; else Failed with reason AgentRestarted.
   */
  public void recover(EraRun run) {
    String namespace = run.getMetadata().getNamespace();
    Optional<RunRecord> record =
        logs.record(namespace, name(run))
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
                        + nodeName
                        + " restarted while the run was running; its result is"
                        + " unknown (the command may have run in part); output up to the restart is in the logs",
                    Instant.now()));
    Result written =
        status.finish(
            run,
            outcome,
            tail(run, record, RunLog.Stream.stdout),
            tail(run, record, RunLog.Stream.stderr));
    if (written == Result.WRITTEN && recorded.isEmpty()) {
      logs.recordOutcome(namespace, name(run), outcome);
      events.warning(run, outcome.reason(), outcome.message());
    }
  }

  /** Attaches to the run's command in its VM; false when the guest no longer knows it. */
  private boolean follow(EraRun run) {
    String namespace = run.getMetadata().getNamespace();
    Integer execId = run.getStatus().getExecId();
    Optional<VmHandle> vm = vms.running(namespace, run.getSpec().getVmName());
    if (execId == null || vm.isEmpty()) {
      return false;
    }
    ActiveRun a = new ActiveRun(run);
    if (active.putIfAbsent(run.getMetadata().getUid(), a) != null) {
      return true;
    }
    try {
      a.log = logs.resume(namespace, name(run));
      a.execution = vm.get().attach(execId, logMaxBytes, true, a.log);
    } catch (LaunchException | UncheckedIOException e) {
      LOG.infof(
          "run %s/%s was running when the agent restarted and cannot be followed: %s",
          namespace, name(run), e.getMessage());
      if (a.log != null) {
        logs.release(namespace, name(run), a.log);
      }
      active.remove(run.getMetadata().getUid(), a);
      return false;
    }
    LOG.infof("following run %s/%s, which outlived the previous agent", namespace, name(run));
    executor.execute(() -> finish(a, outcome(a.execution, a.log, vm.get(), run.getSpec())));
    return true;
  }

  private OutputTail tail(EraRun run, Optional<RunRecord> record, RunLog.Stream stream) {
    return record.isPresent()
        ? logs.tailOnDisk(run.getMetadata().getNamespace(), name(run), stream)
        : logs.emptyTail();
  }

  /** The EraRun is gone: ends its command and removes its logs. */
  public void cancel(EraRun run) {
    ActiveRun a = active.remove(run.getMetadata().getUid());
    if (a != null) {
      a.cancelled = true;
      Execution execution = a.execution;
      if (execution != null) {
        execution.signal(SIGKILL);
      }
    }
    logs.delete(run.getMetadata().getNamespace(), name(run), run.getMetadata().getUid());
  }

  /**
   * Writes nothing more, as after a crash: runs still running stay Running, and their commands run
   * on in the VMs for the next agent to follow (or report, AgentRestarted, when it cannot).
   */
  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    active.clear();
  }

  private void execute(ActiveRun a, VmHandle vm, int execId) {
    EraRun run = a.run;
    EraRunSpec spec = run.getSpec();
    RunOutcome outcome;
    try {
      if (a.cancelled || closed) {
        a.log.finish(); // deleted, or the agent stops, before anything ran
        return;
      }
      markVmUsed(run);
      stage(run, vm);
      Execution execution = vm.start(execId, request(spec), a.log);
      a.execution = execution;
      if (a.cancelled) {
        execution.signal(SIGKILL);
      }
      outcome = outcome(execution, a.log, vm, spec);
    } catch (StagingException e) {
      outcome = RunOutcomes.failed(Reasons.STAGING_FAILED, e.getMessage(), Instant.now());
    } catch (LaunchException e) {
      outcome = lost(vm, e);
    } catch (RuntimeException e) {
      LOG.errorf(
          e, "run %s/%s failed in the node agent", run.getMetadata().getNamespace(), name(run));
      outcome =
          RunOutcomes.failed(
              Reasons.EXEC_FAILED, "the node agent failed running it: " + e, Instant.now());
    }
    finish(a, outcome);
  }

  /** Waits for the command's end. */
  private static RunOutcome outcome(Execution execution, RunLog log, VmHandle vm, EraRunSpec spec) {
    try {
      ExecResult result = execution.result().join();
      return RunOutcomes.of(result, log, spec.getTimeoutSeconds(), Instant.now());
    } catch (CompletionException e) {
      return lost(vm, e.getCause() != null ? e.getCause() : e);
    }
  }

  private void finish(ActiveRun a, RunOutcome outcome) {
    EraRun run = a.run;
    String namespace = run.getMetadata().getNamespace();
    RunLog log = a.log;
    if (a.cancelled || closed) {
      if (log != null) {
        log.finish();
      }
      return;
    }
    try {
      if (log != null) {
        logs.finish(namespace, name(run), log, outcome);
      }
      Result written =
          status.finish(
              run,
              outcome,
              log != null ? log.tail(RunLog.Stream.stdout) : logs.emptyTail(),
              log != null ? log.tail(RunLog.Stream.stderr) : logs.emptyTail());
      if (written == Result.WRITTEN
          && !Reasons.EXITED.equals(outcome.reason())
          && !Reasons.TIMED_OUT.equals(outcome.reason())) {
        events.warning(run, outcome.reason(), outcome.message());
      }
    } catch (KubernetesClientException e) {
      // The outcome is on the node; the next agent (or this one after a restart) writes it.
      LOG.errorf("cannot write the result of run %s/%s: %s", namespace, name(run), e.getMessage());
    } finally {
      active.remove(run.getMetadata().getUid(), a);
    }
  }

  private void reject(EraRun run, RunOutcome outcome) {
    if (status.reject(run, outcome) == Result.WRITTEN) {
      events.warning(run, outcome.reason(), outcome.message());
    }
  }

  /** Files go under /work (the guest's work directory), created with their parents. */
  private void stage(EraRun run, VmHandle vm) throws StagingException {
    for (RunFile file : run.getSpec().getFiles()) {
      byte[] content = files.content(run.getMetadata().getNamespace(), file);
      try {
        vm.putFile(file.getPath(), new ByteArrayInputStream(content), file.getMode());
      } catch (LaunchException e) {
        if (!vm.isAlive()) {
          throw e;
        }
        throw new StagingException(
            "cannot write file " + file.getPath() + " into the VM: " + e.getMessage());
      }
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

  private static String name(EraRun run) {
    return run.getMetadata().getName();
  }
}
