package dev.era.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.Accelerator;
import dev.era.api.Language;
import dev.era.api.NetworkMode;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.GuestNetwork;
import dev.era.launcher.QemuAccelerator;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every constant on each side, both ways: nothing unmapped, nothing left unreached. */
class ApiLauncherMappingTest {
  @Test
  void eachLanguageHasItsGuestImageAndBack() {
    assertMapsEvery(
        Map.of(Language.python, GuestLanguage.PYTHON, Language.node, GuestLanguage.NODE),
        Language.values(),
        GuestLanguage.values(),
        ApiLauncherMapping::guestLanguage);
    assertMapsEvery(
        Map.of(GuestLanguage.PYTHON, Language.python, GuestLanguage.NODE, Language.node),
        GuestLanguage.values(),
        Language.values(),
        ApiLauncherMapping::language);
  }

  @Test
  void everyNetworkModeHasItsGuestNetwork() {
    assertMapsEvery(
        Map.of(
            NetworkMode.none, GuestNetwork.NONE,
            NetworkMode.egress, GuestNetwork.EGRESS,
            NetworkMode.full, GuestNetwork.FULL),
        NetworkMode.values(),
        GuestNetwork.values(),
        ApiLauncherMapping::guestNetwork);
  }

  @Test
  void eachQemuAcceleratorIsReportedAsItsApiValue() {
    assertMapsEvery(
        Map.of(QemuAccelerator.KVM, Accelerator.kvm, QemuAccelerator.TCG, Accelerator.tcg),
        QemuAccelerator.values(),
        Accelerator.values(),
        ApiLauncherMapping::accelerator);
  }

  /**
   * {@code mapping} gives {@code expected} for every constant of {@code from}, and reaches all of
   * {@code to}.
   */
  private static <F, T> void assertMapsEvery(
      Map<F, T> expected, F[] from, T[] to, Function<F, T> mapping) {
    assertThat(expected).containsOnlyKeys(from);
    assertThat(expected.values()).containsOnly(to);
    expected.forEach((f, t) -> assertThat(mapping.apply(f)).as("%s", f).isEqualTo(t));
  }
}
