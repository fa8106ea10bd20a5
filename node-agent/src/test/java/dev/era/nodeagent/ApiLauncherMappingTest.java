package dev.era.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.Accelerator;
import dev.era.api.Language;
import dev.era.api.NetworkMode;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.GuestNetwork;
import dev.era.launcher.QemuAccelerator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every constant on each side, both ways: nothing unmapped, nothing reached twice by accident. */
class ApiLauncherMappingTest {
  @Test
  void eachLanguageHasItsGuestImageAndBack() {
    Map<Language, GuestLanguage> expected =
        Map.of(Language.python, GuestLanguage.PYTHON, Language.node, GuestLanguage.NODE);

    assertThat(expected).containsOnlyKeys(Language.values());
    assertThat(expected.values()).containsExactlyInAnyOrder(GuestLanguage.values());
    expected.forEach(
        (api, guest) -> {
          assertThat(ApiLauncherMapping.guestLanguage(api)).isEqualTo(guest);
          assertThat(ApiLauncherMapping.language(guest)).isEqualTo(api);
        });
  }

  @Test
  void egressBootsWithoutANetworkUntilTheLauncherCanFilter() {
    Map<NetworkMode, GuestNetwork> expected =
        Map.of(
            NetworkMode.none, GuestNetwork.NONE,
            NetworkMode.egress, GuestNetwork.NONE,
            NetworkMode.full, GuestNetwork.FULL);

    assertThat(expected).containsOnlyKeys(NetworkMode.values());
    assertThat(expected.values()).containsOnly(GuestNetwork.values());
    expected.forEach(
        (api, guest) -> assertThat(ApiLauncherMapping.guestNetwork(api)).isEqualTo(guest));
  }

  @Test
  void eachQemuAcceleratorIsReportedAsItsApiValue() {
    Map<QemuAccelerator, Accelerator> expected =
        Map.of(QemuAccelerator.KVM, Accelerator.kvm, QemuAccelerator.TCG, Accelerator.tcg);

    assertThat(expected).containsOnlyKeys(QemuAccelerator.values());
    assertThat(expected.values()).containsExactlyInAnyOrder(Accelerator.values());
    expected.forEach(
        (qemu, api) -> assertThat(ApiLauncherMapping.accelerator(qemu)).isEqualTo(api));
  }
}
