package dev.era.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EraPathsTest {
  @Test
  void xdgDirectoriesWinOverTheHomeDefaults() {
    EraPaths paths =
        EraPaths.from(Map.of("XDG_STATE_HOME", "/s", "XDG_CONFIG_HOME", "/c"), "/home/u");

    assertThat(paths.stateDir()).isEqualTo(Path.of("/s/era"));
    assertThat(paths.kubeconfig()).isEqualTo(Path.of("/c/era/kubeconfig"));
    assertThat(paths.pidFile()).isEqualTo(Path.of("/s/era/control-plane/daemon.pid"));
    assertThat(paths.credentialsDir()).isEqualTo(Path.of("/s/era/control-plane/credentials"));
  }

  @Test
  void withoutXdgTheyLiveUnderTheHomeOfTheEnvironmentNotOfThePasswordFile() {
    EraPaths paths = EraPaths.from(Map.of("XDG_STATE_HOME", " ", "HOME", "/tmp/x"), "/root");

    assertThat(paths.stateDir()).isEqualTo(Path.of("/tmp/x/.local/state/era"));
    assertThat(paths.kubeconfig()).isEqualTo(Path.of("/tmp/x/.config/era/kubeconfig"));
  }
}
