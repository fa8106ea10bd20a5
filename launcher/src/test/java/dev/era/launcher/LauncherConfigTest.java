package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LauncherConfigTest {

  @Test
  void readsTheAcceleratorOverride() {
    assertThat(LauncherConfig.parseAccelerator(null)).isEmpty();
    assertThat(LauncherConfig.parseAccelerator(" ")).isEmpty();
    assertThat(LauncherConfig.parseAccelerator("TCG")).contains(QemuAccelerator.TCG);
    assertThat(LauncherConfig.parseAccelerator("kvm")).contains(QemuAccelerator.KVM);
    assertThatThrownBy(() -> LauncherConfig.parseAccelerator("hvf"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage("ERA_ACCEL must be 'tcg' or 'kvm' (or unset to probe), got 'hvf'");
  }

  @Test
  void makesPathsAbsoluteAndRejectsANonPositiveBootTimeout() {
    LauncherConfig config =
        new LauncherConfig(
            Path.of("rel/state"), Path.of("/c"), Optional.empty(), Duration.ofSeconds(1));

    assertThat(config.stateDir()).isAbsolute();
    assertThatThrownBy(() -> config.withBootTimeout(Duration.ZERO))
        .isInstanceOf(InvalidSpecException.class);
  }

  @Test
  void checksTheAdminsAddressRangesWhenItIsMade() {
    LauncherConfig config =
        new LauncherConfig(Path.of("/s"), Path.of("/c"), Optional.empty(), Duration.ofSeconds(1));

    assertThat(config.allowedCidrs()).isEmpty();
    assertThat(config.withCidrs(List.of("10.1.0.0/16"), List.of("100.64.0.0/10")).allowedCidrs())
        .containsExactly("10.1.0.0/16");
    assertThatThrownBy(() -> config.withCidrs(List.of(), List.of("10.96.0.0/x")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageStartingWith("deniedCidrs: '10.96.0.0/x' is invalid");
  }
}
