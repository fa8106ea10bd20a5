package dev.era.api;

import java.util.Optional;

/**
 * The pod that holds an EraVM's place on a node in a cluster (docs/architecture.md, "Reservation
 * pods"). The operator creates it with the VM's CPU and memory plus the VMM's overhead as its
 * requests and limits, kube-scheduler places it, and the node agent on that node starts the VM's
 * QEMU inside the pod's cgroup and network namespace. The embedded control plane has no kubelet and
 * creates none: there the operator places VMs itself.
 */
public final class ReservationPods {
  /**
   * On an EraVM: the name of its reservation pod, in the EraVM's namespace. Written by the operator
   * when it creates the pod; the node agent joins a pod only when that pod is owned by the EraVM
   * (same UID) and bound to the agent's node.
   */
  public static final String ANNOTATION = Era.GROUP + "/reservation-pod";

  /** On a reservation pod: the UID of the EraVM it holds the place of. */
  public static final String VM_UID_LABEL = Era.GROUP + "/vm-uid";

  /** The pod's one container: it holds the VM's resources and network namespace, and idles. */
  public static final String CONTAINER = "vm";

  /**
   * In that container's environment: a random token, by which the node agent finds the container's
   * process among the node's processes. Only who can read the pod knows it, so no other pod can
   * pose as the reservation.
   */
  public static final String TOKEN_ENV = "ERA_VM_TOKEN";

  /** On Node objects: the accelerator the node agent found there ({@link Accelerator}). */
  public static final String ACCELERATOR_LABEL = Era.GROUP + "/accelerator";

  /**
   * On an EraPool: written by an operator that places VMs with pods; each of the pool's warm guests
   * then waits in a warm pod of its own, and a VM of the pool takes over a warm pod with its guest
   * (docs/architecture.md, "Warm pods").
   */
  public static final String WARM_PODS_ANNOTATION = Era.GROUP + "/warm-pods";

  /** On a warm pod: the UID of the EraPool whose guest it holds; removed when a VM takes it. */
  public static final String POOL_UID_LABEL = Era.GROUP + "/pool-uid";

  /** On a warm pod: the hash of the pool's template it was made for. */
  public static final String TEMPLATE_LABEL = Era.GROUP + "/template-hash";

  private static final String PREFIX = "era-vm-";
  private static final String WARM_PREFIX = "era-warm-";
  private static final int MAX_NAME = 253;

  private ReservationPods() {}

  /** The pod's name: the EraVM's name with a prefix, or its UID where that would be too long. */
  public static String name(String vmName, String vmUid) {
    String named = PREFIX + vmName;
    return named.length() <= MAX_NAME ? named : PREFIX + vmUid;
  }

  /**
   * A warm pod's name: the pool's name (or its UID, where that would be too long) and a suffix,
   * which also ends the name of the warm guest the node agent boots in it.
   */
  public static String warmName(String poolName, String poolUid, String suffix) {
    String named = WARM_PREFIX + poolName + "-" + suffix;
    return named.length() <= MAX_NAME ? named : WARM_PREFIX + poolUid + "-" + suffix;
  }

  /** The suffix of a warm pod's name; empty for any other pod. */
  public static Optional<String> warmSuffix(String podName) {
    return podName.startsWith(WARM_PREFIX)
        ? Optional.of(podName.substring(podName.lastIndexOf('-') + 1))
        : Optional.empty();
  }
}
