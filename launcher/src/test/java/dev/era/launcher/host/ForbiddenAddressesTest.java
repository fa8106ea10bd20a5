package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ForbiddenAddressesTest {
  private final ForbiddenAddresses byDefault = new ForbiddenAddresses(List.of(), List.of());

  @Test
  void refusesLoopbackLinkLocalPrivateAndSharedRangesInBothFamilies() throws Exception {
    for (String address :
        List.of(
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "169.254.169.254",
            "10.96.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1")) {
      assertThat(byDefault.refuses(InetAddress.getByName(address))).as(address).isTrue();
    }
  }

  @Test
  void letsPublicAddressesThrough() throws Exception {
    for (String address : List.of("198.18.1.2", "151.101.0.223", "2606:4700::1")) {
      assertThat(byDefault.refuses(InetAddress.getByName(address))).as(address).isFalse();
    }
  }

  @Test
  void refusesTheNodesOwnAddressesOutsideTheDeniedRanges() throws Exception {
    List<Cidr> denied =
        Stream.concat(ForbiddenAddresses.DENIED_V4.stream(), ForbiddenAddresses.DENIED_V6.stream())
            .map(Cidr::parse)
            .toList();
    InetAddress own =
        NetworkInterface.networkInterfaces()
            .flatMap(NetworkInterface::inetAddresses)
            .filter(a -> denied.stream().noneMatch(range -> range.contains(a)))
            .findFirst()
            .orElse(null);
    Assumptions.assumeTrue(own != null, "every address of this host is in a denied range");

    assertThat(byDefault.refuses(own)).as(own.toString()).isTrue();
  }

  @Test
  void anAdminAllowedRangeIsLetThroughAndADeniedOneRefused() throws Exception {
    ForbiddenAddresses admin =
        new ForbiddenAddresses(List.of("10.1.0.0/16"), List.of("198.51.100.0/24"));

    assertThat(admin.refuses(InetAddress.getByName("10.1.2.3"))).isFalse();
    assertThat(admin.refuses(InetAddress.getByName("10.2.0.1"))).isTrue();
    assertThat(admin.refuses(InetAddress.getByName("198.51.100.7"))).isTrue();
    assertThat(byDefault.refuses(InetAddress.getByName("198.51.100.7"))).isFalse();
  }
}
