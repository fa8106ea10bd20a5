package dev.era.operator;

import java.time.Duration;

/**
 * Timing knobs of the ERA controllers.
 *
 * @param heartbeatTimeout an EraNode whose heartbeat is older than this takes no new VMs
 * @param nodeLostGrace how long a node may stay NotReady (or silent) before its VMs are failed or
 *     moved and its Running runs failed
 * @param unschedulableRetry how often a VM that fits nowhere is tried again even without a node
 *     change (capacity also frees up when other VMs stop or go away)
 * @param finishedRunTtl finished EraRuns are deleted this long after they finish
 * @param runWaitRecheck how often a run waiting for its VM looks again, on top of VM events
 * @param missingVmGrace how long after its creation a run waits for a VM that does not exist before
 *     it fails
 */
public record EraOperatorConfig(
    Duration heartbeatTimeout,
    Duration nodeLostGrace,
    Duration unschedulableRetry,
    Duration finishedRunTtl,
    Duration runWaitRecheck,
    Duration missingVmGrace) {

  public static EraOperatorConfig defaults() {
    return new EraOperatorConfig(
        Duration.ofSeconds(60),
        Duration.ofMinutes(5),
        Duration.ofSeconds(60),
        Duration.ofHours(1),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30));
  }
}
