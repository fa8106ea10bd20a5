package dev.era.launcher.host;

import dev.era.launcher.InvalidSpecException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks the address ranges an admin configures for guests ({@code 10.96.0.0/12}, {@code fd00::/8},
 * or a single address), so that a typo stops the launcher at startup with a message rather than
 * becoming a firewall rule that means something else.
 */
public final class CidrRange {
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  private static final Pattern PREFIX = Pattern.compile("[0-9]{1,3}");

  private CidrRange() {}

  /**
   * The ranges, each checked.
   *
   * @param setting the setting they come from, for the message
   * @throws InvalidSpecException naming the setting and the range at fault
   */
  public static List<String> checkAll(String setting, List<String> ranges) {
    return ranges.stream().map(String::strip).peek(range -> check(setting, range)).toList();
  }

  private static void check(String setting, String range) {
    String[] parts = range.split("/", -1);
    String address = parts[0];
    if (parts.length > 2 || !(IPV4.matcher(address).matches() || IPV6.matcher(address).matches())) {
      throw invalid(setting, range, "not an IP address or CIDR range such as 10.96.0.0/12");
    }
    byte[] bytes =
        bytes(address)
            .orElseThrow(() -> invalid(setting, range, "'" + address + "' is not an IP address"));
    int bits = bytes.length * 8;
    if (parts.length == 2) {
      if (!PREFIX.matcher(parts[1]).matches() || Integer.parseInt(parts[1]) > bits) {
        throw invalid(setting, range, "the prefix length must be 0 to " + bits);
      }
      int prefix = Integer.parseInt(parts[1]);
      BigInteger hostBits = new BigInteger(1, bytes).mod(BigInteger.ONE.shiftLeft(bits - prefix));
      if (hostBits.signum() != 0) {
        throw invalid(setting, range, "it has address bits set beyond its /" + prefix + " prefix");
      }
    }
  }

  private static Optional<byte[]> bytes(String address) {
    if (IPV4.matcher(address).matches()) {
      String[] octets = address.split("\\.");
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(octets[i]);
        if (octet > 255) {
          return Optional.empty();
        }
        bytes[i] = (byte) octet;
      }
      return Optional.of(bytes);
    }
    try {
      // With a colon in it, InetAddress parses an IPv6 literal and never asks DNS.
      return Optional.of(InetAddress.getByName(address).getAddress());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static InvalidSpecException invalid(String setting, String range, String why) {
    return new InvalidSpecException(setting + ": '" + range + "' is invalid: " + why);
  }
}
