package dev.era.api;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Status fields every ERA kind shares: conditions and the generation they describe.
 *
 * <p>A status holds what was written and nothing else: its fields start empty, and a getter may
 * read an absent value as its meaning (an absent phase is Pending). The kinds' {@code initStatus()}
 * gives a new resource such an empty status, so that code never checks for null, while the
 * difference between a read and an edited copy, which {@code dev.era.kube.ResourceWriter} writes,
 * still holds every value the edit set, defaults included.
 */
public abstract class EraStatus {
  private List<Condition> conditions = new ArrayList<>();

  /**
   * One observer's view: on EraVM and EraRun the operator's (the generation its last reconcile
   * saw), on EraNode the node agent's. The node agent records the generation it acted on in the
   * conditions it writes instead.
   */
  private Long observedGeneration;

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : new ArrayList<>(conditions);
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Optional<Condition> condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when the condition exists with status "True". */
  public boolean isTrue(String type) {
    return condition(type).map(c -> ConditionTypes.TRUE.equals(c.getStatus())).orElse(false);
  }

  /** True when the condition exists with status "False" and the given reason. */
  public boolean isFalseBecause(String type, String reason) {
    return condition(type)
        .map(c -> ConditionTypes.FALSE.equals(c.getStatus()) && reason.equals(c.getReason()))
        .orElse(false);
  }

  /**
   * Sets a condition, keeping its lastTransitionTime when the status does not change.
   *
   * @return whether anything changed, so callers can skip a needless status patch
   */
  public boolean setCondition(
      String type, boolean status, String reason, String message, Instant now) {
    String statusText = status ? ConditionTypes.TRUE : ConditionTypes.FALSE;
    Optional<Condition> existing = condition(type);
    if (existing.isPresent()) {
      Condition c = existing.get();
      if (statusText.equals(c.getStatus())
          && Objects.equals(reason, c.getReason())
          && Objects.equals(message, c.getMessage())) {
        return false;
      }
      if (!statusText.equals(c.getStatus())) {
        c.setLastTransitionTime(Times.format(now));
      }
      c.setStatus(statusText);
      c.setReason(reason);
      c.setMessage(message);
      return true;
    }
    conditions.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(statusText)
            .withReason(reason)
            .withMessage(message)
            .withLastTransitionTime(Times.format(now))
            .build());
    return true;
  }

  /**
   * @return whether a condition of that type existed
   */
  public boolean removeCondition(String type) {
    return conditions.removeIf(c -> type.equals(c.getType()));
  }
}
