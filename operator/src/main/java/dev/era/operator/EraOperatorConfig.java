package dev.era.operator;

import java.time.Duration;

/**
 * Settings of the ERA controllers.
 *
 * <p>The {@code DEFAULT_*} constants are the one source of their defaults, as strings in the form
 * {@link OperatorBeans.Settings}' {@code @WithDefault} takes them (durations in ISO-8601), which
 * {@link #defaults()} (the embedded control plane) parses. HelmChartTest checks the chart's
 * values.yaml against them.
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
 * @param placement who chooses each VM's node (docs/architecture.md, "Reservation pods")
 * @param reservationImage the image of a reservation pod's one container, which only idles
 * @param vmmOverheadTcg MiB added to a TCG VM's memory in its reservation pod: what QEMU itself
 *     takes besides the guest's memory
 * @param vmmOverheadKvm as {@code vmmOverheadTcg}, for a KVM VM
 * @param kvmDeviceResource the extended resource through which a device plugin gives a pod
 *     /dev/kvm; a KVM VM's reservation pod requests one
 */
public record EraOperatorConfig(
    Duration heartbeatTimeout,
    Duration nodeLostGrace,
    Duration unschedulableRetry,
    Duration finishedRunTtl,
    Duration runWaitRecheck,
    Duration missingVmGrace,
    PlacementMode placement,
    String reservationImage,
    int vmmOverheadTcg,
    int vmmOverheadKvm,
    String kvmDeviceResource) {

  /** Who chooses a VM's node; constant names are the setting's values. */
  public enum PlacementMode {
    /** kube-scheduler, through a reservation pod per VM: the default in a cluster. */
    pods,
    /**
     * The operator itself, from the capacity the EraNodes report: where no kube-scheduler and no
     * kubelet run (the embedded control plane).
     */
    ledger
  }

  public static final String DEFAULT_HEARTBEAT_TIMEOUT = "PT60S";
  public static final String DEFAULT_NODE_LOST_GRACE = "PT5M";
  public static final String DEFAULT_UNSCHEDULABLE_RETRY = "PT60S";
  public static final String DEFAULT_FINISHED_RUN_TTL = "PT1H";
  public static final String DEFAULT_RUN_WAIT_RECHECK = "PT60S";
  public static final String DEFAULT_MISSING_VM_GRACE = "PT30S";
  public static final String DEFAULT_PLACEMENT = "pods";

  /** The image every kubelet already has for pod sandboxes. */
  public static final String DEFAULT_RESERVATION_IMAGE = "registry.k8s.io/pause:3.10";

  // docs/benchmarks.md, "VMM overhead": TCG measured (159 MiB at most, with a 20% margin); KVM
  // estimated from it less the translation cache, until measured on a KVM node.
  public static final String DEFAULT_VMM_OVERHEAD_TCG = "192";
  public static final String DEFAULT_VMM_OVERHEAD_KVM = "128";

  /** KubeVirt's device plugin's name for /dev/kvm, which other plugins offering it reuse. */
  public static final String DEFAULT_KVM_DEVICE_RESOURCE = "devices.kubevirt.io/kvm";

  public static EraOperatorConfig defaults() {
    return new EraOperatorConfig(
        Duration.parse(DEFAULT_HEARTBEAT_TIMEOUT),
        Duration.parse(DEFAULT_NODE_LOST_GRACE),
        Duration.parse(DEFAULT_UNSCHEDULABLE_RETRY),
        Duration.parse(DEFAULT_FINISHED_RUN_TTL),
        Duration.parse(DEFAULT_RUN_WAIT_RECHECK),
        Duration.parse(DEFAULT_MISSING_VM_GRACE),
        PlacementMode.valueOf(DEFAULT_PLACEMENT),
        DEFAULT_RESERVATION_IMAGE,
        Integer.parseInt(DEFAULT_VMM_OVERHEAD_TCG),
        Integer.parseInt(DEFAULT_VMM_OVERHEAD_KVM),
        DEFAULT_KVM_DEVICE_RESOURCE);
  }

  public EraOperatorConfig withPlacement(PlacementMode placement) {
    return new EraOperatorConfig(
        heartbeatTimeout,
        nodeLostGrace,
        unschedulableRetry,
        finishedRunTtl,
        runWaitRecheck,
        missingVmGrace,
        placement,
        reservationImage,
        vmmOverheadTcg,
        vmmOverheadKvm,
        kvmDeviceResource);
  }
}
