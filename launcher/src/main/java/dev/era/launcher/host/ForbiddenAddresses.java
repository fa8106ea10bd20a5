package dev.era.launcher.host;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where guests must not connect unless an admin allowed a range: the host's loopback (IPv4 and
 * IPv6), the node's own addresses, link-local addresses (the metadata service), and private, shared
 * and unique-local ranges (where a cluster's pod, Service and node networks live). One list for
 * both enforcers: the firewall rules of {@link GuestNetworkGuard} for guests' own sockets, and the
 * egress proxy, which checks each address it is about to connect to after resolving the name.
 */
public final class ForbiddenAddresses {
  static final List<String> DENIED_V4 =
      List.of(
          "0.0.0.0/8",
          "10.0.0.0/8",
          "100.64.0.0/10",
          "127.0.0.0/8",
          "169.254.0.0/16",
          "172.16.0.0/12",
          "192.168.0.0/16",
          "224.0.0.0/4");
  static final List<String> DENIED_V6 = List.of("::1/128", "fc00::/7", "fe80::/10", "ff00::/8");

  private static final List<Cidr> DENIED =
      Stream.concat(DENIED_V4.stream(), DENIED_V6.stream()).map(Cidr::parse).toList();

  private final List<Cidr> allowed;
  private final List<Cidr> denied;

  /**
   * @param allowedCidrs ranges an admin allowed although they are denied
   * @param deniedCidrs ranges an admin denied on top of those denied by default
   */
  public ForbiddenAddresses(List<String> allowedCidrs, List<String> deniedCidrs) {
    this.allowed = allowedCidrs.stream().map(Cidr::parse).toList();
    this.denied = deniedCidrs.stream().map(Cidr::parse).toList();
  }

  /** Whether a guest must not reach {@code address}, as the firewall rules decide it. */
  public boolean refuses(InetAddress address) {
    if (allowed.stream().anyMatch(range -> range.contains(address))) {
      return false;
    }
    return address.isAnyLocalAddress()
        || address.isLoopbackAddress()
        || DENIED.stream().anyMatch(range -> range.contains(address))
        || denied.stream().anyMatch(range -> range.contains(address))
        || isOwnAddress(address);
  }

  /**
   * As the firewall's {@code fib daddr type local}: an address of one of this node's interfaces.
   */
  private static boolean isOwnAddress(InetAddress address) {
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return true; // cannot tell: refuse
    }
  }
}
