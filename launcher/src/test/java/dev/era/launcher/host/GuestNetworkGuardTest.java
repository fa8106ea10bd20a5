package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.LaunchException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
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
  void theRulesLetDnsAndAllowedRangesThroughBeforeRejectingLocalPrivateAndDeniedAddresses() {
    String rules =
        GuestNetworkGuard.ruleset(
            "unified/era-guests",
            "unified/era-guests-egress",
            1,
            List.of("10.96.0.10", "fd00::53"),
            List.of("10.1.2.0/24"),
            List.of("100.200.0.0/16", "2001:db8::/32"));

    assertThat(rules)
        .contains("socket cgroupv2 level 1 \"unified/era-guests\" jump guest")
        .containsSubsequence(
            "ip daddr { 10.96.0.10 } meta l4proto { tcp, udp } th dport 53 accept",
            "ip6 daddr { fd00::53 } meta l4proto { tcp, udp } th dport 53 accept",
            "ip daddr { 10.1.2.0/24 } accept",
            "fib daddr type local reject",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "::1/128",
            "ip daddr { 100.200.0.0/16 } reject",
            "ip6 daddr { 2001:db8::/32 } reject")
        .doesNotContain("delete table");
  }

  @Test
  void egressGuestsReachOnlyTheirOwnProxyPortsAndTheirDnsGoesToTheirAnswerer() {
    String rules =
        GuestNetworkGuard.ruleset(
            "unified/era-guests", "unified/era-guests-egress", 1, List.of(), List.of(), List.of());

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
  void nftAcceptsTheRulesWithAllowedAndDeniedRangesOverlappingTheDefaults() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "nft --check needs CAP_NET_ADMIN");
    Path mount =
        GuestNetworkGuard.cgroup2Mount(Files.readAllLines(Path.of("/proc/self/mounts")))
            .orElseThrow();
    Path cgroup =
        Files.createDirectories(mount.resolve("era-check-" + ProcessHandle.current().pid()));
    Path egressCgroup = Files.createDirectories(mount.resolve(cgroup.getFileName() + "-egress"));
    String problems;
    try {
      problems =
          nftCheck(
              GuestNetworkGuard.ruleset(
                  Path.of("/sys/fs/cgroup").relativize(cgroup).toString(),
                  Path.of("/sys/fs/cgroup").relativize(egressCgroup).toString(),
                  1,
                  List.of("10.96.0.10"),
                  List.of("10.1.2.0/24", "192.168.7.7", "fd00:1::/64"),
                  List.of("10.244.0.0/16", "10.96.0.0/12", "100.200.0.0/16", "2001:db8::/32")));
    } finally {
      Files.delete(cgroup);
      Files.delete(egressCgroup);
    }

    assertThat(problems).isEmpty();
  }

  /**
   * In an egress VM's own namespace, sockets are told apart by owner: the proxy's (the launcher's
   * user) go to the world under a full-network guest's rules, everything else only to the proxy.
   */
  @Test
  void inItsOwnNamespaceAnEgressGuestReachesOnlyItsProxyWhoseSocketsGetTheGuestRules()
      throws Exception {
    String rules =
        GuestNetworkGuard.namespaceEgressRuleset(
            0, 41000, 41001, List.of("10.96.0.10"), List.of("10.1.2.0/24"), List.of());

    assertThat(rules)
        .contains(
            "add rule inet era_guests nat meta skuid != 0 meta l4proto udp th dport 53 redirect"
                + " to :41001",
            "add rule inet era_guests output meta skuid 0 jump proxy",
            "add rule inet era_guests output meta skuid != 0 jump egress",
            "add rule inet era_guests proxy oifname \"lo\" accept",
            "add rule inet era_guests proxy fib daddr type local reject",
            "add rule inet era_guests proxy ip daddr { 10.1.2.0/24 } accept",
            "add rule inet era_guests egress ip daddr 127.0.0.1 tcp dport 41000 accept",
            "add rule inet era_guests egress ip daddr 127.0.0.1 udp dport 41001 accept")
        .endsWith("add rule inet era_guests egress reject\n");
    if ("root".equals(System.getProperty("user.name"))) {
      assertThat(nftCheck(rules)).isEmpty();
    }
  }

  /** What nft finds wrong in a script, checked without changing the host's rules. */
  private static String nftCheck(String script) throws Exception {
    Process nft = new ProcessBuilder("nft", "--check", "-f", "-").redirectErrorStream(true).start();
    nft.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
    nft.getOutputStream().close();
    String output = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return nft.waitFor() == 0 ? "" : output;
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
                    List.of("10.0.0.0/8 } accept; flush ruleset"),
                    List.of()))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("not an IP address");
  }
}
