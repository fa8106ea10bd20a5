package dev.era.cli.cluster;

import dev.era.api.EraRun;
import dev.era.api.EraRunStatus;

/**
 * An EraRun with its output, as {@code era run -o json} and {@code era logs -o json} print it.
 *
 * @param outputComplete false when stdout/stderr lack some of the output: the node dropped what
 *     went past its per-run log limit, or these are the tails kept in the status (the node agent
 *     could not be reached and the output was longer)
 */
public record RunView(
    String run,
    String vm,
    String phase,
    Integer exitCode,
    String stdout,
    String stderr,
    boolean outputComplete,
    String node,
    String startedAt,
    String finishedAt,
    String reason,
    String message) {

  public static RunView of(EraRun run, RunOutput.Logs logs) {
    EraRunStatus status = run.getStatus();
    return new RunView(
        run.getMetadata().getName(),
        run.getSpec().getVmName(),
        status.getPhase().name(),
        status.getExitCode(),
        logs.stdout(),
        logs.stderr(),
        logs.complete(),
        status.getNodeName(),
        status.getStartedAt(),
        status.getFinishedAt(),
        status.getReason(),
        status.getMessage());
  }
}
