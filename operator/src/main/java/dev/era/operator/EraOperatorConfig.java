package dev.era.operator;

import java.time.Duration;

/**
 * Timing knobs of the ERA controllers.
 *
 * <p>The {@code DEFAULT_*} constants are the one source of their defaults: ISO-8601 durations, so
 * that {@link OperatorBeans.Settings}' {@code @WithDefault} names them and {@link #defaults()} (the
 * embedded control plane) parses them. HelmChartTest checks the chart's values.yaml against them.
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

  public static final String DEFAULT_HEARTBEAT_TIMEOUT = "PT60S";
  public static final String DEFAULT_NODE_LOST_GRACE = "PT5M";
  public static final String DEFAULT_UNSCHEDULABLE_RETRY = "PT60S";
  public static final String DEFAULT_FINISHED_RUN_TTL = "PT1H";
  public static final String DEFAULT_RUN_WAIT_RECHECK = "PT60S";
  public static final String DEFAULT_MISSING_VM_GRACE = "PT30S";

  public static EraOperatorConfig defaults() {
    return new EraOperatorConfig(
        Duration.parse(DEFAULT_HEARTBEAT_TIMEOUT),
        Duration.parse(DEFAULT_NODE_LOST_GRACE),
        Duration.parse(DEFAULT_UNSCHEDULABLE_RETRY),
        Duration.parse(DEFAULT_FINISHED_RUN_TTL),
        Duration.parse(DEFAULT_RUN_WAIT_RECHECK),
        Duration.parse(DEFAULT_MISSING_VM_GRACE));
  }
}
