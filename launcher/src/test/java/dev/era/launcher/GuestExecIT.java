package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.era.launcher.qemu.TestQmp;
import dev.era.launcher.qemu.VmPaths;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands and files in real guests. Two VMs, booted once for the class: Python with full network,
 * Node without.
 */
@ExtendWith(RequiresQemu.class)
class GuestExecIT {
  @TempDir static Path stateDir;
  static QemuLauncher launcher;
  static VmHandle python;
  static VmHandle node;

  @BeforeAll
  static void boot() {
    Guests.prepareImages(GuestLanguage.PYTHON, GuestLanguage.NODE);
    launcher = Guests.launcher(stateDir);
    python =
        launcher.start(VmSpec.of("exec-py", GuestLanguage.PYTHON).withNetwork(GuestNetwork.FULL));
    node = launcher.start(VmSpec.of("exec-node", GuestLanguage.NODE));
  }

  @AfterAll
  static void stop() {
    if (launcher != null) {
      for (VmHandle vm : launcher.list()) {
        vm.stop(Duration.ofSeconds(5));
      }
      launcher.close();
    }
  }

  @Test
  void runsOnTheProbedAccelerator() throws Exception {
    JsonNode kvm = TestQmp.execute(VmPaths.of(stateDir, python.id()).qmpSocket(), "query-kvm");

    assertThat(python.accelerator()).isEqualTo(launcher.accelerator());
    assertThat(kvm.path("enabled").asBoolean())
        .as("QEMU's own answer (query-kvm) matches the reported accelerator")
        .isEqualTo(python.accelerator() == QemuAccelerator.KVM);
  }

  @Test
  void runsPythonKeepingStdoutAndStderrApart() {
    ExecResult result =
        python.exec(
            ExecRequest.argv(
                "python3",
                "-c",
                "import sys; print('to stdout'); print('to stderr', file=sys.stderr); sys.exit(3)"));

    assertThat(result.stdoutText()).isEqualTo("to stdout\n");
    assertThat(result.stderrText()).isEqualTo("to stderr\n");
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.succeeded()).isFalse();
  }

  @Test
  void runsNode() {
    ExecResult result =
        node.exec(
            ExecRequest.argv(
                "node", "-e", "console.log(6 * 7); console.error('e'); process.exit(2)"));

    assertThat(result.stdoutText()).isEqualTo("42\n");
    assertThat(result.stderrText()).isEqualTo("e\n");
    assertThat(result.exitCode()).isEqualTo(2);
  }

  @Test
  void runsAScriptPutAsAFileAndReadsItsOutputFileBack() {
    python.putFile(
        "app/main.py",
        "import pathlib\np = pathlib.Path('data.txt')\npathlib.Path('out/result.txt').parent.mkdir()\n"
            .concat(
                "pathlib.Path('out/result.txt').write_text(p.read_text().upper())\nprint('done')\n")
            .getBytes(StandardCharsets.UTF_8));
    python.putFile("/work/data.txt", "hello files".getBytes(StandardCharsets.UTF_8));

    ExecResult result = python.exec(ExecRequest.argv("python3", "app/main.py"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long size = python.getFile("out/result.txt", out);

    assertThat(result.stdoutText()).isEqualTo("done\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("HELLO FILES");
    assertThat(size).isEqualTo(11);
  }

  @Test
  void roundTripsAFileLargerThanOneFrame() {
    byte[] content = new byte[3 * 1024 * 1024 + 17];
    new java.util.Random(7).nextBytes(content);

    node.putFile("big.bin", new java.io.ByteArrayInputStream(content), 0600);
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    node.getFile("big.bin", back);

    assertThat(back.toByteArray()).isEqualTo(content);
    assertThat(node.exec(ExecRequest.shell("stat -c %a big.bin")).stdoutText()).isEqualTo("600\n");
  }

  @Test
  void feedsStdinAndEnvironmentToAShellCommand() {
    ExecResult result =
        node.exec(
            ExecRequest.shell("read line; echo \"$line-$GREETING\" $(id -u)")
                .withStdin("abc\n".getBytes(StandardCharsets.UTF_8))
                .withEnv(Map.of("GREETING", "hi")));

    assertThat(result.stdoutText()).isEqualTo("abc-hi 65532\n");
  }

  @Test
  void reportsAMissingProgramAsExitCode127() {
    ExecResult result = node.exec(ExecRequest.argv("no-such-program"));

    assertThat(result.exitCode()).isEqualTo(127);
    assertThat(result.stderrText()).isNotEmpty();
  }

  @Test
  void nothingACommandStartedOutlivesIt() {
    ExecResult detached =
        python.exec(
            ExecRequest.shell("setsid sleep 1000 >/dev/null 2>&1 < /dev/null & echo started"));
    ExecResult left =
        python.exec(
            ExecRequest.argv(
                "python3",
                "-c",
                String.join(
                    "\n",
                    "import os",
                    "mine = str(os.getpid())",
                    "print(sum(1 for p in os.listdir('/proc') if p.isdigit() and p != mine",
                    "          and open('/proc/' + p + '/cmdline', 'rb').read().startswith(b'sleep')))")));

    assertThat(detached.stdoutText()).isEqualTo("started\n");
    assertThat(left.stdoutText())
        .as("sleep processes left after their command ended")
        .isEqualTo("0\n");
  }

  @Test
  void theGuestKernelIsHardenedAgainstACommandThatBecomesRoot() {
    ExecResult sysctls =
        python.exec(
            ExecRequest.shell(
                "cat /proc/sys/kernel/modules_disabled /proc/sys/kernel/kptr_restrict"
                    + " /proc/sys/kernel/unprivileged_bpf_disabled /proc/sys/user/max_user_namespaces"));
    ExecResult userns =
        python.exec(ExecRequest.argv("unshare", "--user", "--map-root-user", "true"));

    assertThat(sysctls.stdoutText().split("\n")).containsExactly("1", "2", "1", "0");
    assertThat(userns.exitCode()).as("unshare --user: " + userns.stderrText()).isNotZero();
  }

  @Test
  void killsACommandThatOutlivesItsTimeout() {
    ExecResult result =
        node.exec(ExecRequest.argv("sleep", "1000").withTimeout(Duration.ofSeconds(2)));

    assertThat(result.timedOut()).isTrue();
    assertThat(result.signal()).isEqualTo(9);
    assertThat(result.duration()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
  }

  @Test
  void boundsTenMegabytesOfOutput() {
    AtomicLong streamed = new AtomicLong();
    int limit = 64 * 1024;
    ExecResult result =
        python
            .start(
                ExecRequest.argv("python3", "-c", "import sys; sys.stdout.write('x' * 10_000_000)")
                    .withMaxOutput(limit),
                new ExecListener() {
                  @Override
                  public void onStdout(byte[] chunk) {
                    streamed.addAndGet(chunk.length);
                  }

                  @Override
                  public void onStderr(byte[] chunk) {}
                })
            .result()
            .join();

    assertThat(result.succeeded()).isTrue();
    assertThat(result.stdout()).hasSize(limit);
    assertThat(result.stdoutTruncated()).isTrue();
    assertThat(result.stderrTruncated()).isFalse();
    assertThat(streamed.get()).as("bytes that crossed the channel").isLessThanOrEqualTo(limit);
  }

  @Test
  void runsCommandsConcurrently() {
    // The first command only ends once the second has run: serialized execs would time out here.
    Execution waiter =
        node.start(
            ExecRequest.shell("while [ ! -f /work/go ]; do sleep 0.05; done; echo released")
                .withTimeout(Duration.ofSeconds(20)),
            ExecListener.IGNORE);
    List<CompletableFuture<ExecResult>> echoes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      echoes.add(node.start(ExecRequest.argv("echo", "n" + i), ExecListener.IGNORE).result());
    }
    node.exec(ExecRequest.argv("touch", "/work/go"));

    assertThat(waiter.result().join().stdoutText()).isEqualTo("released\n");
    for (int i = 0; i < echoes.size(); i++) {
      assertThat(echoes.get(i).join().stdoutText()).isEqualTo("n" + i + "\n");
    }
  }

  @Test
  void refusesFilePathsOutsideTheWorkDir() {
    assertThatThrownBy(() -> python.putFile("../etc/evil", new byte[1]))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("escapes the work dir /work");
    assertThatThrownBy(() -> python.getFile("/etc/passwd", new ByteArrayOutputStream()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("escapes the work dir /work");
    assertThatThrownBy(() -> python.getFile("missing.txt", new ByteArrayOutputStream()))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("NOT_FOUND");
  }

  @Test
  void networkNoneMeansNoNetworkDevice() {
    ExecResult result = node.exec(ExecRequest.argv("ls", "/sys/class/net"));

    assertThat(result.stdoutText().split("\\s+")).containsExactly("lo");
  }

  @Test
  void networkFullHasEth0ButCannotReachHostLoopback() throws Exception {
    try (ServerSocket hostService = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      hostService.setSoTimeout(500);
      ExecResult interfaces = python.exec(ExecRequest.argv("ls", "/sys/class/net"));
      ExecResult connect =
          python.exec(
              ExecRequest.argv(
                  "python3",
                  "-c",
                  "import socket; socket.create_connection(('10.0.2.2', "
                      + hostService.getLocalPort()
                      + "), timeout=3); print('connected')"));

      assertThat(interfaces.stdoutText().split("\\s+")).contains("eth0", "lo");
      assertThat(connect.exitCode()).isNotZero();
      assertThat(connect.stdoutText()).doesNotContain("connected");
      assertThatThrownBy(hostService::accept)
          .as("no connection reached the host service")
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void networkFullCannotReachHostIpv6LoopbackAfterRouterAdvertisement() throws Exception {
    ServerSocket hostService;
    try {
      hostService = new ServerSocket(0, 1, InetAddress.getByName("::1"));
    } catch (java.io.IOException e) {
      Assumptions.abort("this host has no IPv6 loopback to listen on: " + e.getMessage());
      return;
    }
    try (hostService) {
      hostService.setSoTimeout(500);
      // Slirp's router advertisement gives the guest an fec0::/64 address a few seconds after boot,
      // and slirp maps
      // fec0::2 to the host's ::1. Keep trying for 15 s so that an advertisement, if any comes, is
      // seen.
      ExecResult connect =
          python.exec(
              ExecRequest.argv(
                      "python3",
                      "-c",
                      String.join(
                          "\n",
                          "import socket, time",
                          "for _ in range(15):",
                          "    try:",
                          "        socket.create_connection(('fec0::2', "
                              + hostService.getLocalPort()
                              + "), timeout=1); print('connected'); break",
                          "    except OSError as e:",
                          "        time.sleep(1)"))
                  .withTimeout(Duration.ofSeconds(40)));

      assertThat(connect.stdoutText()).doesNotContain("connected");
      assertThatThrownBy(hostService::accept)
          .as("no connection reached the host's [::1]")
          .isInstanceOf(SocketTimeoutException.class);
    }
  }
}
