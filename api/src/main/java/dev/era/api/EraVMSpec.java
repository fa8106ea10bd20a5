package dev.era.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
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
public class EraVMSpec extends VmTemplate {
  public static final int MAX_EGRESS_ENTRIES = 64;

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

  @JsonPropertyDescription(
      "Binds the VM to a ready guest of this EraPool (same namespace) instead of booting one; its"
          + " language, cpu, memory and network must be the pool's template.")
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @Size(max = 253)
  private String pool;

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

  public String getPool() {
    return pool;
  }

  public void setPool(String pool) {
    this.pool = pool;
  }
}
