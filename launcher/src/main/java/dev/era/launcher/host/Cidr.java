package dev.era.launcher.host;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
   * The address that {@code text} writes literally; empty for anything else, which is never looked
   * up (InetAddress would resolve a name).
   */
  public static Optional<InetAddress> literal(String text) {
    if (!IPV4.matcher(text).matches() && !IPV6.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(text));
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
