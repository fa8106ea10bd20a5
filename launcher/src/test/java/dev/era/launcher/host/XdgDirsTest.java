package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XdgDirsTest {
  @Test
  void absoluteXdgVariablesWin() {
    XdgDirs dirs =
        XdgDirs.of(
            Map.of(
                "XDG_STATE_HOME",
                "/s",
                "XDG_CONFIG_HOME",
                "/c",
                "XDG_CACHE_HOME",
                "/k",
                "HOME",
                "/home/u"),
            "/root");

    assertThat(dirs).isEqualTo(new XdgDirs(Path.of("/s"), Path.of("/c"), Path.of("/k")));
  }

  @Test
  void otherwiseTheyLiveUnderHomeFromTheEnvironment() {
    XdgDirs dirs =
        XdgDirs.of(
            Map.of("HOME", "/tmp/x", "XDG_STATE_HOME", " ", "XDG_CACHE_HOME", "relative/ignored"),
            "/root");

    assertThat(dirs)
        .isEqualTo(
            new XdgDirs(
                Path.of("/tmp/x/.local/state"),
                Path.of("/tmp/x/.config"),
                Path.of("/tmp/x/.cache")));
  }

  @Test
  void withoutHomeTheyFallBackToThePasswordFilesHome() {
    assertThat(XdgDirs.of(Map.of(), "/home/u").stateHome())
        .isEqualTo(Path.of("/home/u/.local/state"));
  }
}
