package dev.era.launcher.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmProcessTest {
  private static final Path SETSID = QemuBinary.setsid();

  /** Stands in for QEMU: prints its pid. */
  private static final List<String> PRINT_PID = List.of("/bin/sh", "-c", "echo $$");

  @Test
  void qemuJoinsEveryCgroupAndKeepsThePidItWasStartedWith(@TempDir Path dir) throws Exception {
    Path memory = dir.resolve("memory.procs");
    Path cpu = dir.resolve("cpu.procs");

    Process process =
        new ProcessBuilder(
                VmProcess.command(SETSID, PRINT_PID, List.of(memory, cpu), List.of(), List.of()))
            .start();
    String printed = output(process);

    assertThat(process.waitFor()).isZero();
    assertThat(printed).isEqualTo(Long.toString(process.pid()));
    assertThat(Files.readString(memory).strip()).isEqualTo(printed);
    assertThat(Files.readString(cpu).strip()).isEqualTo(printed);
  }

  @Test
  void qemuNeverRunsWhenACgroupCannotBeJoined(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("gone/cgroup.procs");

    Process process =
        new ProcessBuilder(
                VmProcess.command(
                    SETSID, PRINT_PID, List.of(missing, dir.resolve("cpu")), List.of(), List.of()))
            .start();

    assertThat(output(process)).isEmpty();
    assertThat(process.waitFor()).isNotZero();
    assertThat(dir.resolve("cpu")).doesNotExist();
  }

  @Test
  void theNetworkNamespaceIsEnteredAndPrivilegesDroppedAfterTheCgroupsAreJoined() {
    assertThat(
            VmProcess.command(
                SETSID,
                List.of("qemu"),
                List.of(Path.of("/sys/fs/cgroup/pod/cgroup.procs")),
                List.of("nsenter", "--net=/proc/7/ns/net", "--"),
                List.of("setpriv", "--reuid", "64400", "--")))
        .endsWith(
            "/sys/fs/cgroup/pod/cgroup.procs",
            "--",
            "nsenter",
            "--net=/proc/7/ns/net",
            "--",
            "setpriv",
            "--reuid",
            "64400",
            "--",
            "qemu");
  }

  @Test
  void withoutCgroupsANamespaceOrAUserQemuFollowsSetsidDirectly() {
    assertThat(VmProcess.command(SETSID, List.of("qemu"), List.of(), List.of(), List.of()))
        .containsExactly(SETSID.toString(), "qemu");
  }

  private static String output(Process process) throws IOException {
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }
}
