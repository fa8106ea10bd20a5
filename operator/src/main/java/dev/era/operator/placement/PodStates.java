package dev.era.operator.placement;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Optional;

/** What a reservation pod's status says about the place it holds. */
public final class PodStates {
  private static final String POD_SCHEDULED = "PodScheduled";
  private static final String UNSCHEDULABLE = "Unschedulable";

  private PodStates() {}

  /**
   * Why a pod whose container stopped for good (evicted, say) holds no place any more; empty for a
   * pod that still may.
   */
  public static Optional<String> ended(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (!"Failed".equals(phase) && !"Succeeded".equals(phase)) {
      return Optional.empty();
    }
    String reason = pod.getStatus().getReason();
    return Optional.of("ended (" + (reason == null ? phase : reason) + ")");
  }

  /** kube-scheduler's verdict that no node can take the pod now, with its message. */
  public static Optional<PodCondition> unschedulable(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(
            c ->
                POD_SCHEDULED.equals(c.getType())
                    && "False".equals(c.getStatus())
                    && UNSCHEDULABLE.equals(c.getReason()))
        .findFirst();
  }
}
