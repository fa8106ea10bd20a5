package dev.era.api;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An environment variable for the run's command. */
public class RunEnvVar {
  @Required
  @Pattern(Patterns.ENV_NAME)
  @Size(max = 256)
  private String name;

  private String value = "";

  public RunEnvVar() {}

  public RunEnvVar(String name, String value) {
    this.name = name;
    setValue(value);
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value == null ? "" : value;
  }
}
