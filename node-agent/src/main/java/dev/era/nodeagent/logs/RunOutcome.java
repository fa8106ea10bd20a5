package dev.era.nodeagent.logs;

import dev.era.api.EraRunPhase;

/**
 * How a run ended, as the agent writes it into the EraRun's status. Kept in the run's record on the
 * node before the status is written, so an agent that restarts in between writes it after all.
 *
 * @param exitCode the command's exit status, 128 + signal when a signal ended it, null when it
 *     never ran
 * @param stdoutDropped the guest dropped stdout past the node's log limit
 * @param stderrDropped likewise for stderr
 */
public record RunOutcome(
    EraRunPhase phase,
    String reason,
    String message,
    Integer exitCode,
    boolean stdoutDropped,
    boolean stderrDropped,
    String finishedAt) {}
