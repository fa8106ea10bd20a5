package dev.era.api;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A persistent disk kept on the VM's node across stops. */
public class PersistSpec {
  @Required
  @Pattern(Patterns.QUANTITY)
  @Size(max = 32)
  private String size;

  public PersistSpec() {}

  public PersistSpec(String size) {
    this.size = size;
  }

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }
}
