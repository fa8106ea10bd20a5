package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.launcher.host.QemuUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A root launcher runs each guest's QEMU as QEMU's own unprivileged user, with no capabilities, and
 * the guest still works (with network, whose cgroup QEMU joins before it drops privileges).
 */
@ExtendWith(RequiresQemu.class)
class QemuUserIT {
  private static final String USER = QemuUserHome.USER;

  static QemuUserHome home;
  static QemuLauncher launcher;
  static VmHandle vm;

  @BeforeAll
  static void boot() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "only a root launcher changes QEMU's user");
    Guests.prepareImages(GuestLanguage.PYTHON);
    home = QemuUserHome.create();
    launcher = new QemuLauncher(home.config());
    vm =
        launcher.start(
            VmSpec.of("unprivileged", GuestLanguage.PYTHON).withNetwork(GuestNetwork.FULL));
  }

  @AfterAll
  static void stop() throws Exception {
    if (launcher != null) {
      launcher.list().forEach(v -> v.stop(Duration.ofSeconds(5)));
      launcher.close();
    }
    if (home != null) {
      home.close();
    }
  }

  @Test
  void qemuRunsAsItsUserWithNoCapabilitiesAndTheGuestWorks() throws Exception {
    Map<String, String> status = procStatus(vm.pid());

    assertThat(status.get("Uid").split("\\s+")).containsOnly(USER);
    assertThat(status.get("Gid").split("\\s+")).containsOnly(USER);
    assertThat(status.get("Groups").split("\\s+")).doesNotContain("0");
    assertThat(status.get("CapEff")).isEqualTo("0000000000000000");
    assertThat(status.get("CapPrm")).isEqualTo("0000000000000000");
    assertThat(status.get("CapBnd")).isEqualTo("0000000000000000");
    assertThat(status.get("NoNewPrivs")).isEqualTo("1");
    assertThat(vm.exec(ExecRequest.argv("echo", "hello")).stdoutText()).isEqualTo("hello\n");
  }

  @Test
  void qemusIdentityCannotReadTheLaunchersFiles() throws Exception {
    Path secret = home.base().resolve("secret");
    Files.writeString(secret, "token");
    Path stateFile = home.base().resolve("state/vms/unprivileged/state.json");
    Path open = home.base().resolve("open");
    Files.writeString(open, "anyone");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));

    assertThat(asQemu("cat", open.toString())).as("the control").isEqualTo("anyone");
    assertThat(asQemu("cat", secret.toString())).contains("Permission denied");
    assertThat(asQemu("cat", stateFile.toString())).contains("Permission denied");
  }

  /** Its state file is root's alone, and a new launcher (an agent restart) still adopts the VM. */
  @Test
  void aSecondLauncherReadoptsTheVm() {
    long pid = vm.pid();
    launcher.close();

    launcher = new QemuLauncher(launcher.config());
    vm = launcher.find("unprivileged").orElseThrow();

    assertThat(vm.pid()).isEqualTo(pid);
    assertThat(vm.exec(ExecRequest.argv("echo", "again")).stdoutText()).isEqualTo("again\n");
  }

  /** What a command prints when it runs with the identity QEMU runs with. */
  private static String asQemu(String... command) throws Exception {
    List<String> argv = new ArrayList<>(new QemuUser(USER).setpriv());
    argv.addAll(List.of(command));
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return output.strip();
  }

  private static Map<String, String> procStatus(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(line -> line.contains(":"))
        .collect(
            Collectors.toMap(
                line -> line.substring(0, line.indexOf(':')),
                line -> line.substring(line.indexOf(':') + 1).strip()));
  }
}
