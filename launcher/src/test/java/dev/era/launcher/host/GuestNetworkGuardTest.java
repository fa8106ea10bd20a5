package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.LaunchException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestNetworkGuardTest {
  @Test
  void findsTheCgroup2MountOnHybridAndUnifiedHosts() {
    assertThat(
            GuestNetworkGuard.cgroup2Mount(
                List.of(
                    "tmpfs /sys/fs/cgroup tmpfs ro,nosuid 0 0",
                    "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0",
                    "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0")))
        .contains(Path.of("/sys/fs/cgroup/unified"));
    assertThat(
            GuestNetworkGuard.cgroup2Mount(
                List.of("cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0")))
        .contains(Path.of("/sys/fs/cgroup"));
    assertThat(
            GuestNetworkGuard.cgroup2Mount(
                List.of("cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0")))
        .isEmpty();
  }

  @Test
  void readsNameserversWithoutZoneIds() {
    assertThat(
            GuestNetworkGuard.nameservers(
                List.of(
                    "# comment",
                    "search example.org",
                    "nameserver 10.96.0.10",
                    "  nameserver fe80::1%eth0",
                    "options ndots:5")))
        .containsExactly("10.96.0.10", "fe80::1");
  }

  @Test
  void theRulesLetDnsAndAllowedRangesThroughBeforeRejectingLocalAndPrivateAddresses() {
    String rules =
        GuestNetworkGuard.ruleset(
            "unified/era-guests",
            "unified/era-guests-egress",
            1,
            List.of("10.96.0.10", "fd00::53"),
            List.of("10.1.2.0/24"));

    assertThat(rules)
        .contains("socket cgroupv2 level 1 \"unified/era-guests\" jump guest")
        .containsSubsequence(
            "ip daddr { 10.96.0.10 } meta l4proto { tcp, udp } th dport 53 accept",
            "ip6 daddr { fd00::53 } meta l4proto { tcp, udp } th dport 53 accept",
            "ip daddr { 10.1.2.0/24 } accept",
            "fib daddr type local reject",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "::1/128")
        .doesNotContain("delete table");
  }

  @Test
  void egressGuestsReachOnlyTheirOwnProxyPortsAndTheirDnsGoesToTheirAnswerer() {
    String rules =
        GuestNetworkGuard.ruleset(
            "unified/era-guests", "unified/era-guests-egress", 1, List.of(), List.of());

    assertThat(rules)
        .contains(
            "add rule inet era_guests output socket cgroupv2 level 1 \"unified/era-guests-egress\""
                + " jump egress")
        .contains(
            "socket cgroupv2 level 1 \"unified/era-guests-egress\" meta l4proto udp th dport 53"
                + " redirect to : socket cgroupv2 level 2 map @egress_dns")
        .containsSubsequence(
            "add rule inet era_guests egress ip daddr 127.0.0.1 socket cgroupv2 level 2 . meta"
                + " l4proto . th dport @egress_ports accept",
            "add rule inet era_guests egress reject")
        // The VMs' elements survive a reinstall: their sets are declared, never flushed.
        .doesNotContain("flush set")
        .doesNotContain("flush map");
  }

  @Test
  void refusesAnythingButAddressesInTheScript() {
    assertThatThrownBy(
            () ->
                GuestNetworkGuard.ruleset(
                    "era-guests",
                    "era-guests-egress",
                    1,
                    List.of(),
                    List.of("10.0.0.0/8 } accept; flush ruleset")))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("not an IP address");
  }
}
