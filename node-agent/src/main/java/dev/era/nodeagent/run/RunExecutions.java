package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.kube.EventRecorder;
import dev.era.nodeagent.logs.RunLogs;
import dev.era.nodeagent.logs.RunRecord;
import dev.era.nodeagent.vm.VmRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs EraRuns in their VMs, each at most once: a run is claimed ({@link RunClaiming}) before
 * anything happens in the guest, then its files are staged and its command executed ({@link
 * RunStaging}, {@link RunExecuting}); a run this agent did not claim itself is never started again,
 * only followed to its end when its command outlived the agent that claimed it ({@link
 * RunFollowing}). Several runs of one VM run at the same time, each on its own thread.
 */
public final class RunExecutions implements AutoCloseable {
  private final RunLogs logs;
  private final ActiveRuns active;
  private final RunClaiming claiming;
  private final RunExecuting executing;
  private final RunFollowing following;
  private final ExecutorService executor;

  public RunExecutions(
      KubernetesClient client,
      VmRegistry vms,
      RunLogs logs,
      EventRecorder events,
      String nodeName,
      int logMaxBytes) {
    this.logs = logs;
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "era-run-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    RunStatusWriter status = new RunStatusWriter(client, nodeName);
    this.active = new ActiveRuns(logs, status, events);
    RunContext context =
        new RunContext(vms, logs, status, events, active, executor, nodeName, logMaxBytes);
    this.claiming = new RunClaiming(context);
    this.executing =
        new RunExecuting(client, new RunStaging(client), active, executor, logMaxBytes);
    this.following = new RunFollowing(context);
  }

  public boolean isActive(EraRun run) {
    return active.contains(run);
  }

  /** Claims a Pending run of this node and runs it; does nothing when another claim won. */
  public void start(EraRun run) {
    Optional<ActiveRun> claimed = claiming.claim(run);
    if (claimed.isEmpty()) {
      return;
    }
    ActiveRun a = claimed.get();
    try {
      a.log =
          logs.create(
              a.namespace(),
              a.name(),
              new RunRecord(
                  run.getMetadata().getUid(),
                  run.getSpec().getVmName(),
                  Times.format(Instant.now()),
                  null));
      executor.execute(() -> executing.execute(a));
    } catch (RuntimeException e) {
      active.finish(
          a,
          RunOutcomes.failed(
              Reasons.EXEC_FAILED,
              "the node agent could not start the run: " + e.getMessage(),
              Instant.now()));
    }
  }

  /** A run left Running by an earlier agent: followed to its end, or reported. */
  public void recover(EraRun run) {
    following.recover(run);
  }

  /** The EraRun is gone: ends its command and removes its logs. */
  public void cancel(EraRun run) {
    active.cancel(run);
    logs.delete(
        run.getMetadata().getNamespace(), run.getMetadata().getName(), run.getMetadata().getUid());
  }

  /**
   * Writes nothing more, as after a crash: runs still running stay Running, and their commands run
   * on in the VMs for the next agent to follow (or report, AgentRestarted, when it cannot).
   */
  @Override
  public void close() {
    active.close();
    executor.shutdownNow();
  }
}
