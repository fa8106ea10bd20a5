package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.InvalidSpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void acceptsAddressesAndRangesOfBothFamilies() {
    assertThat(
            Cidr.checkAll(
                "allowedCidrs",
                List.of("10.96.0.0/12", " 192.168.1.7 ", "0.0.0.0/0", "fd00::/8", "2001:db8::1")))
        .containsExactly("10.96.0.0/12", "192.168.1.7", "0.0.0.0/0", "fd00::/8", "2001:db8::1");
  }

  @Test
  void refusesWhatIsNotARangeNamingTheSettingAndTheValue() {
    assertThatThrownBy(() -> Cidr.checkAll("deniedCidrs", List.of("10.0.0.0/8", "example")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage(
            "deniedCidrs: 'example' is invalid: not an IP address or CIDR range such as"
                + " 10.96.0.0/12");
    for (String bad :
        List.of(
            "cafe",
            "10.0.0.256",
            "10.0.0.0/33",
            "fd00::/129",
            "10.0.0.0/8/8",
            "fd00:::1::/8",
            "")) {
      assertThatThrownBy(() -> Cidr.checkAll("allowedCidrs", List.of(bad)))
          .as(bad)
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageStartingWith("allowedCidrs: '" + bad + "' is invalid");
    }
  }

  @Test
  void refusesARangeWithAddressBitsBeyondItsPrefix() {
    assertThatThrownBy(() -> Cidr.checkAll("allowedCidrs", List.of("10.96.0.10/12")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage(
            "allowedCidrs: '10.96.0.10/12' is invalid: it has address bits set beyond its /12"
                + " prefix");
    assertThatThrownBy(() -> Cidr.checkAll("allowedCidrs", List.of("fd00::1/64")))
        .isInstanceOf(InvalidSpecException.class);
  }
}
