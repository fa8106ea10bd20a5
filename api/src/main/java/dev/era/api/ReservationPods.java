package dev.era.api;

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

  private static final String PREFIX = "era-vm-";
  private static final int MAX_NAME = 253;

  private ReservationPods() {}

  /** The pod's name: the EraVM's name with a prefix, or its UID where that would be too long. */
  public static String name(String vmName, String vmUid) {
    String named = PREFIX + vmName;
    return named.length() <= MAX_NAME ? named : PREFIX + vmUid;
  }
}
