package dev.era.launcher;

/** Guest networking. {@code NONE} means the guest has no network device at all. */
public enum GuestNetwork {
  NONE,
  /**
   * QEMU user-mode networking (slirp: no host bridge, no root): outbound TCP/UDP through NAT, DNS
   * at 10.0.2.3. Slirp maps 10.0.2.2 to the host's loopback; the guest agent adds a reject route
   * for it (era.net=full), so commands cannot reach services that listen on the host's 127.0.0.1.
   * IPv4 only: slirp's IPv6 would map fec0::2 to the host's ::1, so QEMU runs it with {@code
   * ipv6=off}. Host services on other addresses are reachable as from any outbound client.
   */
  FULL,
  /**
   * User-mode networking as {@link #FULL}, but the host lets the VM's QEMU reach nothing except the
   * VM's egress proxy on its loopback (the guest's 10.0.2.2), which allows what {@link
   * VmSpec#egressAllow()} lists; commands get the proxy in {@code HTTP_PROXY} and its relatives,
   * and the guest's DNS queries are answered by the proxy, for allowed names only.
   */
  EGRESS
}
