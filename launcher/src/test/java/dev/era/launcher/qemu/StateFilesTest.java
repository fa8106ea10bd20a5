package dev.era.launcher.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.GuestNetwork;
import dev.era.launcher.QemuAccelerator;
import dev.era.launcher.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFilesTest {
  @TempDir Path dir;

  @Test
  void roundTripsAVmState() {
    VmState state =
        new VmState(
            VmState.CURRENT_VERSION,
            4242,
            VmSpec.of("node-1", GuestLanguage.NODE)
                .withVcpus(2)
                .withNetwork(GuestNetwork.FULL)
                .withPersistMib(64),
            QemuAccelerator.TCG,
            "/s/agent.sock",
            "/s/qmp.sock",
            "/s/console.log",
            Instant.parse("2026-01-02T03:04:05.678Z"),
            "abc-def",
            0,
            0);
    Path file = dir.resolve("state.json");

    StateFiles.write(file, state);

    assertThat(StateFiles.read(file, VmState.class)).contains(state);
    assertThat(dir.resolve("state.json.tmp")).doesNotExist();
  }

  @Test
  void readsNothingFromAMissingOrCorruptFile() throws Exception {
    Files.writeString(dir.resolve("bad.json"), "{\"pid\": ");

    assertThat(StateFiles.read(dir.resolve("missing.json"), VmState.class)).isEmpty();
    assertThat(StateFiles.read(dir.resolve("bad.json"), VmState.class)).isEmpty();
  }

  @Test
  void toleratesFieldsAddedByALaterVersion() throws Exception {
    Path file = dir.resolve("state.json");
    Files.writeString(
        file,
        "{\"version\":1,\"pid\":7,\"spec\":{\"id\":\"a\",\"language\":\"PYTHON\",\"vcpus\":1,"
            + "\"memoryMib\":256,\"network\":\"NONE\",\"persistMib\":0},\"accelerator\":\"KVM\",\"newField\":true}");

    assertThat(StateFiles.read(file, VmState.class))
        .hasValueSatisfying(
            s -> {
              assertThat(s.pid()).isEqualTo(7);
              assertThat(s.accelerator()).isEqualTo(QemuAccelerator.KVM);
            });
  }

  @Test
  void describesHowQemuEnded() {
    assertThat(VmProcess.describeExit(0)).isEqualTo("QEMU exited with status 0");
    assertThat(VmProcess.describeExit(1)).isEqualTo("QEMU exited with status 1");
    assertThat(VmProcess.describeExit(137)).isEqualTo("QEMU was killed by signal 9");
  }
}
