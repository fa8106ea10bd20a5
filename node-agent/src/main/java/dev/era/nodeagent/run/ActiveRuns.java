package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import dev.era.kube.ResourceWriter.Result;
import dev.era.launcher.Execution;
import dev.era.launcher.VmHandle;
import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunLogs;
import dev.era.nodeagent.logs.RunOutcome;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The runs this agent claimed, or follows, and has not finished, by uid; each is active from its
 * claim until its outcome is written ({@link #finish}), it is cancelled, or the agent closes.
 */
final class ActiveRuns {
  private static final Logger LOG = Logger.getLogger(ActiveRuns.class);
  static final int SIGKILL = 9;

  private final RunLogs logs;
  private final RunStatusWriter status;
  private final EventRecorder events;
  private final Map<String, ActiveRun> active = new ConcurrentHashMap<>();
  private volatile boolean closed;

  ActiveRuns(RunLogs logs, RunStatusWriter status, EventRecorder events) {
    this.logs = logs;
    this.status = status;
    this.events = events;
  }

  boolean contains(EraRun run) {
    return active.containsKey(run.getMetadata().getUid());
  }

  /**
   * @return the run, now active; empty when it is active already
   */
  Optional<ActiveRun> add(EraRun run, VmHandle vm, int execId) {
    ActiveRun a = new ActiveRun(run, vm, execId);
    return active.putIfAbsent(run.getMetadata().getUid(), a) == null
        ? Optional.of(a)
        : Optional.empty();
  }

  /** Forgets a run that did not start after all. */
  void remove(ActiveRun a) {
    active.remove(a.run.getMetadata().getUid(), a);
  }

  /** Deleted, or the agent stops: nothing more is written for the run. */
  boolean abandoned(ActiveRun a) {
    return a.cancelled || closed;
  }

  /** The EraRun is gone: ends its command. */
  void cancel(EraRun run) {
    ActiveRun a = active.remove(run.getMetadata().getUid());
    if (a != null) {
      a.cancelled = true;
      Execution execution = a.execution;
      if (execution != null) {
        execution.signal(SIGKILL);
      }
    }
  }

  /** Records the outcome on the node and in the run's status, unless the run was abandoned. */
  void finish(ActiveRun a, RunOutcome outcome) {
    EraRun run = a.run;
    RunLog log = a.log;
    if (abandoned(a)) {
      if (log != null) {
        log.finish();
      }
      return;
    }
    try {
      if (log != null) {
        logs.finish(a.namespace(), a.name(), log, outcome);
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
      LOG.errorf(
          "cannot write the result of run %s/%s: %s", a.namespace(), a.name(), e.getMessage());
    } finally {
      remove(a);
    }
  }

  /** Forgets every run, writing nothing more for any (see {@link RunExecutions#close}). */
  void close() {
    closed = true;
    active.clear();
  }
}
