package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.LaunchException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HostInfoTest {

  @Test
  void parsesMemAvailable() {
    String meminfo =
        "MemTotal:       24585764 kB\nMemFree:         1000000 kB\nMemAvailable:   20480000 kB\nBuffers: 1 kB\n";

    assertThat(HostInfo.parseMemAvailableKib(meminfo)).isEqualTo(20480000);
  }

  @Test
  void saysWhatIsMissingWithoutMemAvailable() {
    assertThatThrownBy(() -> HostInfo.parseMemAvailableKib("MemTotal: 1 kB\n"))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("MemAvailable");
  }

  @Test
  void tellsZombiesFromRunningProcessesEvenWithParenthesesInTheName() {
    assertThat(ProcFs.isZombieState("123 (qemu-system-x86) S 1 123 123 0")).isFalse();
    assertThat(ProcFs.isZombieState("123 (a) b) R 1 123")).isFalse();
    assertThat(ProcFs.isZombieState("123 (qemu) Z 1 123")).isTrue();
    assertThat(ProcFs.isZombieState("123 (qemu) X 1 123")).isTrue();
  }

  @Test
  void recognizesAProcessOnlyByItsMarker() {
    long self = ProcessHandle.current().pid();

    assertThat(ProcFs.runs(self, "java")).isTrue();
    assertThat(ProcFs.runs(self, "/no/such/vm/dir/")).isFalse();
    assertThat(ProcFs.runs(Long.MAX_VALUE, "java")).isFalse();
  }

  @Test
  void kvmDeviceChecksSayWhyADeviceIsUnusable() {
    assertThat(KvmDevice.whyUnusable(Path.of("/no/such/kvm")))
        .hasValueSatisfying(r -> assertThat(r).contains("does not exist"));
    assertThat(KvmDevice.whyUnusable(Path.of("/dev/null")))
        .hasValueSatisfying(r -> assertThat(r).contains("refused a KVM ioctl"));
  }
}
