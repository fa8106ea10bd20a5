package dev.era.launcher.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmProcessTest {
  @Test
  void qemuJoinsItsCgroupWithTheLaunchersPrivilegesThenDropsThem() {
    List<String> command =
        VmProcess.command(
            Path.of("/usr/bin/setsid"),
            List.of("qemu-system-x86_64", "-m", "256M"),
            Optional.of(Path.of("/sys/fs/cgroup/era-guests/vm-1/cgroup.procs")),
            List.of("setpriv", "--reuid", "64400", "--"));

    assertThat(command)
        .containsExactly(
            "/usr/bin/setsid",
            "/bin/sh",
            "-c",
            "echo $$ > \"$0\" && exec \"$@\"",
            "/sys/fs/cgroup/era-guests/vm-1/cgroup.procs",
            "setpriv",
            "--reuid",
            "64400",
            "--",
            "qemu-system-x86_64",
            "-m",
            "256M");
  }

  @Test
  void withoutACgroupOrAUserQemuFollowsSetsidDirectly() {
    assertThat(
            VmProcess.command(
                Path.of("/usr/bin/setsid"), List.of("qemu"), Optional.empty(), List.of()))
        .containsExactly("/usr/bin/setsid", "qemu");
  }
}
