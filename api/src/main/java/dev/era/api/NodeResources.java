package dev.era.api;

import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** CPU (whole vCPUs) and memory (a quantity) on a node. */
public class NodeResources {
  @Min(0)
  private Integer cpu = 0;

  @Pattern(Patterns.QUANTITY)
  private String memory = "0";

  public NodeResources() {}

  public NodeResources(int cpu, String memory) {
    this.cpu = cpu;
    this.memory = memory;
  }

  public Integer getCpu() {
    return cpu;
  }

  public void setCpu(Integer cpu) {
    this.cpu = cpu == null ? 0 : cpu;
  }

  public String getMemory() {
    return memory;
  }

  public void setMemory(String memory) {
    this.memory = memory == null ? "0" : memory;
  }
}
