package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuUserTest {
  @Test
  void setprivDropsToTheUserAndItsGroupWithNoCapabilities() {
    List<String> argv = new QemuUser("64400").setpriv();

    assertThat(argv)
        .startsWith("setpriv", "--reuid", "64400", "--regid", "64400")
        .contains("--inh-caps=-all", "--bounding-set=-all", "--no-new-privs")
        .endsWith("--");
    // The only supplementary group, if any, is the one that opens /dev/kvm.
    if (Files.exists(Path.of("/dev/kvm"))) {
      assertThat(argv).containsAnyOf("--groups", "--clear-groups");
    } else {
      assertThat(argv).contains("--clear-groups").doesNotContain("--groups");
    }
  }
}
