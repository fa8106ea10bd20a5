package dev.era.nodeagent.run;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraRunStatus;
import dev.era.api.Times;
import dev.era.kube.ResourceWriter;
import dev.era.kube.ResourceWriter.Result;
import dev.era.nodeagent.logs.OutputTail;
import dev.era.nodeagent.logs.RunOutcome;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** The EraRun status fields the node agent owns. Each write applies to runs of this node only. */
final class RunStatusWriter {
  private final ResourceWriter<EraRun> writer;
  private final String nodeName;

  RunStatusWriter(KubernetesClient client, String nodeName) {
    this.writer = ResourceWriter.direct(client);
    this.nodeName = nodeName;
  }

  /**
   * Pending → Running, guarded by the resourceVersion: WRITTEN means this agent, and nobody else,
   * now runs it, as the guest's command {@code execId}.
   */
  Result claim(EraRun run, int execId, String message) {
    return write(
        run,
        r -> r.getStatus().getPhase() == EraRunPhase.Pending,
        s -> {
          s.setPhase(EraRunPhase.Running);
          s.setExecId(execId);
          s.setStartedAt(Times.format(Instant.now()));
          s.setReason(null);
          s.setMessage(message);
        });
  }

  /** A run that never started here: Pending → Failed. */
  Result reject(EraRun run, RunOutcome outcome) {
    return write(run, r -> r.getStatus().getPhase() == EraRunPhase.Pending, s -> ended(s, outcome));
  }

  /** Running → the outcome, with the output tails. */
  Result finish(EraRun run, RunOutcome outcome, OutputTail stdout, OutputTail stderr) {
    return write(
        run,
        r -> r.getStatus().getPhase() == EraRunPhase.Running,
        s -> {
          ended(s, outcome);
          s.setStdout(stdout.text());
          s.setStderr(stderr.text());
          s.setStdoutTruncated(stdout.cut() || outcome.stdoutDropped());
          s.setStderrTruncated(stderr.cut() || outcome.stderrDropped());
          s.setOutputDropped(outcome.stdoutDropped() || outcome.stderrDropped());
        });
  }

  private static void ended(EraRunStatus s, RunOutcome outcome) {
    s.setPhase(outcome.phase());
    s.setReason(outcome.reason());
    s.setMessage(outcome.message());
    s.setExitCode(outcome.exitCode());
    s.setFinishedAt(outcome.finishedAt());
  }

  private Result write(EraRun run, Predicate<EraRun> applies, Consumer<EraRunStatus> edit) {
    return writer.write(
        run,
        r -> nodeName.equals(r.getStatus().getNodeName()) && applies.test(r),
        r -> edit.accept(r.getStatus()));
  }
}
