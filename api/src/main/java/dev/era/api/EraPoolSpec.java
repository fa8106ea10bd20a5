package dev.era.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.LinkedHashMap;
import java.util.Map;

/** Desired state of an EraPool, written by users only; defaults as in {@link EraVMSpec}. */
public class EraPoolSpec {
  public static final int MAX_REPLICAS = 1000;

  @JsonPropertyDescription("The guests the pool keeps ready.")
  @ValidationRule(
      value = "!has(self.network) || self.network != 'egress'",
      message = "a pool's guests cannot have network egress (it needs a per-VM allow-list)")
  private VmTemplate template = new VmTemplate();

  @JsonPropertyDescription("How many ready guests to keep across the nodes.")
  @PrinterColumn(name = "Replicas")
  @Min(0)
  @Max(MAX_REPLICAS)
  @Default("1")
  private Integer replicas = 1;

  @JsonPropertyDescription("Keeps the guests on EraNodes with all these labels.")
  private Map<String, String> nodeSelector = new LinkedHashMap<>();

  public VmTemplate getTemplate() {
    return template;
  }

  public void setTemplate(VmTemplate template) {
    this.template = template == null ? new VmTemplate() : template;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas == null ? 1 : replicas;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector =
        nodeSelector == null ? new LinkedHashMap<>() : new LinkedHashMap<>(nodeSelector);
  }
}
