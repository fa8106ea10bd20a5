package dev.era.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * What a guest is made of: its language image, vCPUs, memory and network. An EraVM's spec starts
 * with these fields; an EraPool's {@code spec.template} is one, and an EraVM bound to a pool must
 * have the same (see {@link EraVMValidator#validate(EraVMSpec, EraPool)}). Defaults as in {@link
 * EraVMSpec}: field initialisers match the schema's, and setters turn null into the default.
 */
public class VmTemplate {
  public static final String DEFAULT_LANGUAGE = "python";
  public static final int MIN_CPU = 1;
  public static final int MAX_CPU = 64;
  public static final String DEFAULT_MEMORY = "256Mi";
  public static final String MIN_MEMORY = "128Mi";
  public static final String DEFAULT_NETWORK = "none";

  @PrinterColumn(name = "Language")
  @SchemaFrom(type = Language.class)
  @Default(DEFAULT_LANGUAGE)
  private String language = DEFAULT_LANGUAGE;

  @JsonPropertyDescription("Virtual CPUs.")
  @PrinterColumn(name = "CPU")
  @Min(MIN_CPU)
  @Max(MAX_CPU)
  @Default("1")
  private Integer cpu = MIN_CPU;

  @JsonPropertyDescription("Guest memory as a Kubernetes quantity, at least 128Mi.")
  @PrinterColumn(name = "Memory")
  @Pattern(Patterns.QUANTITY)
  @Size(max = 32)
  @ValidationRule(
      value = "!isQuantity(self) || quantity(self).compareTo(quantity('" + MIN_MEMORY + "')) >= 0",
      message = "memory must be at least " + MIN_MEMORY)
  @Default(DEFAULT_MEMORY)
  private String memory = DEFAULT_MEMORY;

  @SchemaFrom(type = NetworkMode.class)
  @Default(DEFAULT_NETWORK)
  private String network = DEFAULT_NETWORK;

  /** One of {@link Language}; see {@link Language#parse}. */
  public String getLanguage() {
    return language;
  }

  public void setLanguage(String language) {
    this.language = language == null ? DEFAULT_LANGUAGE : language;
  }

  public Integer getCpu() {
    return cpu;
  }

  public void setCpu(Integer cpu) {
    this.cpu = cpu == null ? MIN_CPU : cpu;
  }

  public String getMemory() {
    return memory;
  }

  public void setMemory(String memory) {
    this.memory = memory == null ? DEFAULT_MEMORY : memory;
  }

  /** One of {@link NetworkMode}; see {@link NetworkMode#parse}. */
  public String getNetwork() {
    return network;
  }

  public void setNetwork(String network) {
    this.network = network == null ? DEFAULT_NETWORK : network;
  }

  /** Whether both describe the same guest (memory compared as quantities: 1Gi is 1024Mi). */
  public boolean sameGuestAs(VmTemplate other) {
    return language.equals(other.language)
        && cpu.equals(other.cpu)
        && network.equals(other.network)
        && Objects.equals(Quantities.bytes(memory), Quantities.bytes(other.memory));
  }
}
