package dev.era.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Time limits for an EraVM. */
@ValidationRule(
    value = "has(self.idleSeconds) || has(self.absoluteSeconds)",
    message = "ttl needs idleSeconds or absoluteSeconds")
public class TtlSpec {
  public static final String DEFAULT_ACTION = "Stop";

  @JsonPropertyDescription("Seconds without a run while Running before the action is taken.")
  @Min(1)
  private Long idleSeconds;

  @JsonPropertyDescription("Seconds after creation before the action is taken.")
  @Min(1)
  private Long absoluteSeconds;

  @SchemaFrom(type = TtlAction.class)
  @Default(DEFAULT_ACTION)
  private String action = DEFAULT_ACTION;

  public Long getIdleSeconds() {
    return idleSeconds;
  }

  public void setIdleSeconds(Long idleSeconds) {
    this.idleSeconds = idleSeconds;
  }

  public Long getAbsoluteSeconds() {
    return absoluteSeconds;
  }

  public void setAbsoluteSeconds(Long absoluteSeconds) {
    this.absoluteSeconds = absoluteSeconds;
  }

  /** One of {@link TtlAction}; a string so that a bad value still reads (see EraVMSpec). */
  public String getAction() {
    return action;
  }

  public void setAction(String action) {
    this.action = action == null ? DEFAULT_ACTION : action;
  }
}
