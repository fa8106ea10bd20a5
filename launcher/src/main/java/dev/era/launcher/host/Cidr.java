package dev.era.launcher.host;

import dev.era.launcher.InvalidSpecException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 range such as {@code 10.0.0.0/8} or {@code fe80::/10}; a bare address is one. */
public record Cidr(InetAddress network, int prefix) {
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /**
   * @throws IllegalArgumentException when {@code text} is not an address literal or a range
   */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    InetAddress network =
        literal(address)
            .orElseThrow(() -> new IllegalArgumentException("not an IP range: '" + text + "'"));
    int bits = network.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("not an IP range: '" + text + "'");
    }
    return new Cidr(network, prefix);
  }

  /**
   * Checks the ranges an admin configures for guests ({@code 10.96.0.0/12}, {@code fd00::/8}, or a
   * single address), so that a typo stops the launcher at startup with a message rather than
   * becoming a firewall rule that means something else.
   *
   * @param setting the setting they come from, for the message
   * @return the ranges, stripped
   * @throws InvalidSpecException naming the setting and the range at fault
   */
  public static List<String> checkAll(String setting, List<String> ranges) {
    return ranges.stream().map(String::strip).peek(range -> check(setting, range)).toList();
  }

  private static void check(String setting, String range) {
    Cidr cidr;
    try {
      cidr = parse(range);
    } catch (IllegalArgumentException e) {
      throw invalid(setting, range, "not an IP address or CIDR range such as 10.96.0.0/12");
    }
    byte[] bytes = cidr.network.getAddress();
    int hostBits = bytes.length * 8 - cidr.prefix;
    if (new BigInteger(1, bytes).mod(BigInteger.ONE.shiftLeft(hostBits)).signum() != 0) {
      throw invalid(
          setting, range, "it has address bits set beyond its /" + cidr.prefix + " prefix");
    }
  }

  private static InvalidSpecException invalid(String setting, String range, String why) {
    return new InvalidSpecException(setting + ": '" + range + "' is invalid: " + why);
  }

  /**
   * The address that {@code text} writes literally; empty for anything else, which is never looked
   * up (InetAddress would resolve a name, including a dotted quad with an octet over 255).
   */
  public static Optional<InetAddress> literal(String text) {
    try {
      if (IPV4.matcher(text).matches()) {
        String[] octets = text.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
          int octet = Integer.parseInt(octets[i]);
          if (octet > 255) {
            return Optional.empty();
          }
          bytes[i] = (byte) octet;
        }
        return Optional.of(InetAddress.getByAddress(bytes));
      }
      // With a colon in it, InetAddress parses an IPv6 literal and never asks DNS.
      return IPV6.matcher(text).matches()
          ? Optional.of(InetAddress.getByName(text))
          : Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    int shift = a.length * 8 - prefix;
    return new BigInteger(1, a).shiftRight(shift).equals(new BigInteger(1, n).shiftRight(shift));
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }
}
