package dev.era.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every rule of the EraVM schema, checked in Java, plus the rules a schema cannot state. The
 * operator (and the node agent, before it boots anything) use it because not every API server
 * enforces the schema: the embedded one does not.
 */
public final class EraVMValidator {
  private static final Pattern QUANTITY = Pattern.compile(Patterns.QUANTITY);
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(Patterns.DNS_SUBDOMAIN);
  private static final Pattern EGRESS_ENTRY = Pattern.compile(Patterns.EGRESS_ENTRY);
  private static final Pattern IPV4_RANGE =
      Pattern.compile("([0-9]+)\\.([0-9]+)\\.([0-9]+)\\.([0-9]+)(/([0-9]+))?");
  private static final long MIN_MEMORY_BYTES = Quantities.bytes(EraVMSpec.MIN_MEMORY).orElseThrow();

  private EraVMValidator() {}

  /** Problems with the spec alone; empty when it is valid. */
  public static List<String> validate(EraVMSpec spec) {
    Problems p = new Problems();
    checkTemplate(spec, "spec.", p);
    checkEgress(spec, p);
    if (spec.getPersist() != null) {
      String size = spec.getPersist().getSize();
      p.require(size != null, "spec.persist.size", "is required");
      p.matches(size, QUANTITY, 32, "spec.persist.size", "a quantity such as 1Gi");
      // Semantic: the pattern admits zero.
      p.require(
          size == null || Quantities.bytes(size).map(b -> b > 0).orElse(true),
          "spec.persist.size",
          "must be more than zero");
    }
    p.matches(spec.getNodeName(), DNS_SUBDOMAIN, 253, "spec.nodeName", "a valid node name");
    p.matches(spec.getPool(), DNS_SUBDOMAIN, 253, "spec.pool", "a valid EraPool name");
    if (spec.getTtl() != null) {
      checkTtl(spec.getTtl(), p);
    }
    return p.list();
  }

  /**
   * Problems with the spec given where the VM is placed now (a rule no schema can state, since the
   * placement lives in the status): a placed VM cannot be pinned to another node.
   */
  public static List<String> validate(EraVMSpec spec, String placedNode) {
    List<String> problems = validate(spec);
    if (placedNode != null
        && spec.getNodeName() != null
        && !placedNode.equals(spec.getNodeName())) {
      return concat(
          problems,
          "spec.nodeName: the VM is already placed on "
              + placedNode
              + "; a placed VM cannot move to "
              + spec.getNodeName()
              + " (delete and recreate it)");
    }
    return problems;
  }

  /**
   * Problems of a VM bound to a pool (spec.pool), which must be the pool's guest: the same
   * template, and no persistent disk (warm guests have none). Checked until the VM is placed;
   * afterwards the pool may change or go away and the VM lives on.
   */
  public static List<String> validateBinding(EraVMSpec spec, EraPool pool) {
    Problems p = new Problems();
    VmTemplate template = pool.getSpec().getTemplate();
    p.require(
        spec.sameGuestAs(template),
        "spec",
        "language, cpu, memory and network ("
            + describe(spec)
            + ") contradict the template of EraPool "
            + pool.getMetadata().getName()
            + " ("
            + describe(template)
            + ")");
    p.require(spec.getPersist() == null, "spec.persist", "a pool's guests have no persistent disk");
    return p.list();
  }

  static void checkTemplate(VmTemplate template, String prefix, Problems p) {
    p.oneOf(template.getLanguage(), Language.class, prefix + "language");
    p.range(template.getCpu(), VmTemplate.MIN_CPU, VmTemplate.MAX_CPU, prefix + "cpu");
    checkMemory(template.getMemory(), prefix + "memory", p);
    p.oneOf(template.getNetwork(), NetworkMode.class, prefix + "network");
  }

  private static String describe(VmTemplate t) {
    return t.getLanguage() + ", " + t.getCpu() + " CPU, " + t.getMemory() + ", " + t.getNetwork();
  }

  private static void checkMemory(String memory, String field, Problems p) {
    if (memory.length() > 32 || !QUANTITY.matcher(memory).matches()) {
      p.add(field, "'" + memory + "' is not a quantity such as 256Mi");
      return;
    }
    long bytes = Quantities.bytes(memory).orElse(0L);
    p.require(bytes >= MIN_MEMORY_BYTES, field, "must be at least " + VmTemplate.MIN_MEMORY);
  }

  private static void checkEgress(EraVMSpec spec, Problems p) {
    List<String> allow = spec.getEgressAllow();
    boolean egress = NetworkMode.egress.name().equals(spec.getNetwork());
    p.require(
        !egress || !allow.isEmpty(), "spec.egressAllow", "network egress needs a non-empty list");
    p.require(egress || allow.isEmpty(), "spec.egressAllow", "is only allowed with network egress");
    p.require(
        allow.size() <= EraVMSpec.MAX_EGRESS_ENTRIES,
        "spec.egressAllow",
        "must have at most " + EraVMSpec.MAX_EGRESS_ENTRIES + " entries");
    p.each(
        allow,
        "spec.egressAllow",
        (entry, field) -> {
          p.matches(entry, EGRESS_ENTRY, 260, field, "host[:port] or cidr[:port]");
          if (entry.length() <= 260 && EGRESS_ENTRY.matcher(entry).matches()) {
            checkEgressRanges(entry, field, p);
          }
        });
  }

  /** Semantic: the pattern admits ports up to 99999, octets up to 999 and prefixes up to /99. */
  private static void checkEgressRanges(String entry, String field, Problems p) {
    int colon = entry.lastIndexOf(':');
    if (colon >= 0) {
      int port = Integer.parseInt(entry.substring(colon + 1));
      p.require(port >= 1 && port <= 65535, field, "port must be between 1 and 65535");
    }
    Matcher address = IPV4_RANGE.matcher(colon >= 0 ? entry.substring(0, colon) : entry);
    if (address.matches()) {
      for (int octet = 1; octet <= 4; octet++) {
        p.require(
            Integer.parseInt(address.group(octet)) <= 255, field, "IPv4 octets must be 0 to 255");
      }
      p.require(
          address.group(6) == null || Integer.parseInt(address.group(6)) <= 32,
          field,
          "an IPv4 prefix length must be 0 to 32");
    }
  }

  private static void checkTtl(TtlSpec ttl, Problems p) {
    p.require(
        ttl.getIdleSeconds() != null || ttl.getAbsoluteSeconds() != null,
        "spec.ttl",
        "needs idleSeconds or absoluteSeconds");
    p.atLeast(ttl.getIdleSeconds(), 1, "spec.ttl.idleSeconds");
    p.atLeast(ttl.getAbsoluteSeconds(), 1, "spec.ttl.absoluteSeconds");
    p.oneOf(ttl.getAction(), TtlAction.class, "spec.ttl.action");
  }

  private static List<String> concat(List<String> list, String more) {
    List<String> all = new ArrayList<>(list);
    all.add(more);
    return List.copyOf(all);
  }
}
