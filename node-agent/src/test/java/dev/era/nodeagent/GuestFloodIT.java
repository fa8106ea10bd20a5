package dev.era.nodeagent;

import static dev.era.nodeagent.VmsAndRuns.awaitFinished;
import static dev.era.nodeagent.VmsAndRuns.awaitVm;
import static dev.era.nodeagent.VmsAndRuns.createRun;
import static dev.era.nodeagent.VmsAndRuns.createVm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.RequiresQemu;
import dev.era.launcher.qemu.VmPaths;
import dev.era.nodeagent.vm.VmSpecs;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest that floods its stdout or the console, as root, leaves the node's disk use under the
 * node's caps, whatever the guest's own limits do, and the status says output was dropped. The
 * floods are bounded by time (serial output under TCG is slow): each guest reports what it wrote,
 * which must exceed the cap for the test to mean anything.
 */
@ExtendWith(RequiresQemu.class)
class GuestFloodIT {
  private static final int RUN_LOG_CAP = 256 * 1024;
  private static final long CONSOLE_LOG_CAP = 64 * 1024;
  private static final int FLOOD_SECONDS = 30;

  @TempDir static Path dir;
  static AgentCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster =
        AgentCluster.start(
            dir,
            AgentCluster.testConfig().withRunOutput(4096, RUN_LOG_CAP),
            launcher -> launcher.withConsoleLogMaxBytes(CONSOLE_LOG_CAP).withGuestCommandsAsRoot(),
            GuestLanguage.PYTHON);
    client = cluster.client();
    createVm(client, "flood", "python", s -> {});
    awaitVm(client, "flood", EraVMPhase.Running);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aGiBToStdoutLeavesTheRunLogAtItsCap() throws Exception {
    EraRun run =
        flood(
            "gib",
            "import os, sys, time",
            "chunk, written, end = bytes(65536), 0, time.monotonic() + " + FLOOD_SECONDS,
            "while written < 1 << 30 and time.monotonic() < end:",
            "    written += os.write(1, chunk)",
            "sys.stderr.write(str(written))");

    assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Succeeded);
    long written = Long.parseLong(run.getStatus().getStderr().strip());
    System.out.printf("the guest wrote %d bytes to stdout%n", written);
    assertThat(written).as("what the guest wrote").isGreaterThan(4L * RUN_LOG_CAP);
    Path stdout = cluster.agentState().resolve("runs/default/gib/stdout");
    assertThat(Files.size(stdout)).isLessThanOrEqualTo(RUN_LOG_CAP);
    assertThat(run.getStatus().getStdoutTruncated()).isTrue();
    assertThat(run.getStatus().getOutputDropped()).isTrue();
  }

  @Test
  void floodingTheConsoleAsRootLeavesTheConsoleLogUnderItsCap() throws Exception {
    EraRun run =
        flood(
            "console",
            "import os, termios, time",
            "fd = os.open('/dev/console', os.O_WRONLY | os.O_NOCTTY)",
            "chunk, written, end = b'x' * 1023 + b'\\n', 0, time.monotonic() + " + FLOOD_SECONDS,
            "while time.monotonic() < end:",
            "    written += os.write(fd, chunk)",
            "termios.tcdrain(fd)",
            "print(os.getuid(), written)");

    assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Succeeded);
    String[] report = run.getStatus().getStdout().strip().split(" ");
    assertThat(report[0]).as("the flood ran as root in the guest").isEqualTo("0");
    long written = Long.parseLong(report[1]);
    System.out.printf("the guest wrote %d bytes to its console%n", written);
    assertThat(written).as("what the guest wrote").isGreaterThan(4 * CONSOLE_LOG_CAP);
    EraVM vm = client.resources(EraVM.class).inNamespace("default").withName("flood").get();
    Path console = VmPaths.of(cluster.launcherState(), VmSpecs.vmId(vm)).consoleLog();
    // The launcher cuts the log every second: once the guest stops, it is back under the cap.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(Files.size(console)).isLessThanOrEqualTo(CONSOLE_LOG_CAP));
    assertThat(Files.readString(console, StandardCharsets.ISO_8859_1))
        .contains("[era: console output dropped here");
  }

  private static EraRun flood(String name, String... python) {
    createRun(
        client,
        name,
        "flood",
        s -> {
          s.setCommand(List.of("python3", "-c", String.join("\n", python)));
          s.setTimeoutSeconds(FLOOD_SECONDS * 4);
        });
    return awaitFinished(client, name);
  }
}
