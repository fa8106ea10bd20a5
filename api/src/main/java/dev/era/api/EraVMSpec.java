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
import java.util.ArrayList;
import java.util.List;

/**
 * Desired state of an EraVM, written by users only. Field initialisers carry the same defaults as
 * the schema, so a spec built in Java (the CLI, tests) has them before an API server applies them,
 * and setters turn an explicit null into the default. Enumerated fields are strings with an enum
 * schema, so a value the schema no longer allows (stored before a CRD upgrade) still reads, and the
 * operator can report it instead of failing to parse.
 */
@ValidationRule(
    value =
        "!has(self.network) || self.network != 'egress'"
            + " || (has(self.egressAllow) && size(self.egressAllow) > 0)",
    message = "network egress needs a non-empty egressAllow list")
@ValidationRule(
    value =
        "!has(self.egressAllow) || size(self.egressAllow) == 0"
            + " || (has(self.network) && self.network == 'egress')",
    message = "egressAllow is only allowed with network egress")
public class EraVMSpec {
  public static final String DEFAULT_LANGUAGE = "python";
  public static final int MIN_CPU = 1;
  public static final int MAX_CPU = 64;
  public static final String DEFAULT_MEMORY = "256Mi";
  public static final String MIN_MEMORY = "128Mi";
  public static final String DEFAULT_NETWORK = "none";
  public static final int MAX_EGRESS_ENTRIES = 64;

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

  @JsonPropertyDescription(
      "With network egress: what the guest may reach through the node's egress proxy: host names"
          + " (*.example.org for its subdomains), IPv4 addresses or CIDR ranges, each with an"
          + " optional :port (any port without).")
  @Size(max = MAX_EGRESS_ENTRIES)
  private List<@Pattern(Patterns.EGRESS_ENTRY) @Size(max = 260) String> egressAllow =
      new ArrayList<>();

  @JsonPropertyDescription("A persistent disk kept on the node while the VM is stopped.")
  private PersistSpec persist;

  @JsonPropertyDescription("False stops the VM (a persistent disk is kept); true starts it.")
  @Default("true")
  private Boolean running = true;

  @JsonPropertyDescription("Pins the VM to this EraNode; the operator places it otherwise.")
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @Size(max = 253)
  private String nodeName;

  private TtlSpec ttl;

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

  public List<String> getEgressAllow() {
    return egressAllow;
  }

  public void setEgressAllow(List<String> egressAllow) {
    this.egressAllow = egressAllow == null ? new ArrayList<>() : new ArrayList<>(egressAllow);
  }

  public PersistSpec getPersist() {
    return persist;
  }

  public void setPersist(PersistSpec persist) {
    this.persist = persist;
  }

  public Boolean getRunning() {
    return running;
  }

  public void setRunning(Boolean running) {
    this.running = running == null || running;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public TtlSpec getTtl() {
    return ttl;
  }

  public void setTtl(TtlSpec ttl) {
    this.ttl = ttl;
  }
}
