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
        .startsWith("table inet era_guests\ndelete table inet era_guests\n");
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
    String problems;
    try {
      problems =
          nftCheck(
              GuestNetworkGuard.ruleset(
                  Path.of("/sys/fs/cgroup").relativize(cgroup).toString(),
                  1,
                  List.of("10.96.0.10"),
                  List.of("10.1.2.0/24", "192.168.7.7", "fd00:1::/64"),
                  List.of("10.244.0.0/16", "10.96.0.0/12", "100.200.0.0/16", "2001:db8::/32")));
    } finally {
      Files.delete(cgroup);
    }

    assertThat(problems).isEmpty();
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
                    1,
                    List.of("10.0.0.0/8 } accept; flush ruleset"),
                    List.of(),
                    List.of()))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("not an IP address");
  }
}
