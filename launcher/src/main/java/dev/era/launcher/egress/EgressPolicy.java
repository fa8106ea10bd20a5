package dev.era.launcher.egress;

import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.host.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A VM's egress allow-list: entries {@code host}, {@code *.domain} (its subdomains, not the domain
 * itself), an IPv4 address or {@code a.b.c.d/n} range, each with an optional {@code :port} (any
 * port without). Names match names and ranges match addresses: a destination given by name is
 * allowed by a name entry only, whatever it resolves to, and one given as an address literal by a
 * range only.
 */
public final class EgressPolicy {
  private record Rule(String name, boolean wildcard, Cidr range, int port) {
    boolean allowsPort(int p) {
      return port == 0 || port == p;
    }

    boolean matchesName(String host) {
      if (name == null) {
        return false;
      }
      return wildcard ? host.endsWith("." + name) : host.equals(name);
    }
  }

  private final List<Rule> rules;

  private EgressPolicy(List<Rule> rules) {
    this.rules = rules;
  }

  /**
   * @throws InvalidSpecException for an entry that is none of the forms above
   */
  public static EgressPolicy parse(List<String> entries) {
    if (entries.isEmpty()) {
      throw new InvalidSpecException("network EGRESS needs a non-empty allow-list");
    }
    return new EgressPolicy(entries.stream().map(EgressPolicy::rule).toList());
  }

  private static Rule rule(String entry) {
    if (entry.isEmpty()) {
      throw invalid(entry);
    }
    String target = entry;
    int port = 0;
    int colon = entry.lastIndexOf(':');
    if (colon >= 0) {
      port = port(entry, entry.substring(colon + 1));
      target = entry.substring(0, colon);
    }
    if (target.matches("[0-9./]+")) {
      try {
        Cidr range = Cidr.parse(target);
        if (range.network().getAddress().length == 4) {
          return new Rule(null, false, range, port);
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      throw invalid(entry);
    }
    boolean wildcard = target.startsWith("*.");
    String name = normalize(wildcard ? target.substring(2) : target);
    if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
      throw invalid(entry);
    }
    return new Rule(name, wildcard, null, port);
  }

  private static int port(String entry, String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(entry);
  }

  private static InvalidSpecException invalid(String entry) {
    return new InvalidSpecException(
        "egress allow-list entry '"
            + entry
            + "' is not host[:port], *.domain[:port] or an IPv4 address or range with :port");
  }

  /** Lower case, without the root's trailing dot: how names are compared. */
  static String normalize(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  /**
   * Whether a connection to {@code host} (a name or an address literal) on {@code port} is allowed.
   */
  public boolean allows(String host, int port) {
    Optional<InetAddress> literal = Cidr.literal(host);
    if (literal.isPresent()) {
      return rules.stream()
          .anyMatch(
              r -> r.range() != null && r.range().contains(literal.get()) && r.allowsPort(port));
    }
    String name = normalize(host);
    return rules.stream().anyMatch(r -> r.matchesName(name) && r.allowsPort(port));
  }

  /** Whether DNS answers a lookup of {@code name}: it is allowed on some port. */
  public boolean allowsLookup(String name) {
    String normalized = normalize(name);
    return rules.stream().anyMatch(r -> r.matchesName(normalized));
  }
}
