package dev.era.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVM;
import dev.era.launcher.RequiresQemu;
import dev.era.nodeagent.vm.VmSpecs;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CLI against a real embedded control plane: one daemon for the class, started and stopped
 * through the shaded jar, with real guests (six boots: create, two starts, temp, and a VM with a
 * kept disk created twice). Most commands run in-process; the order follows one VM's life.
 */
@ExtendWith(RequiresQemu.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EraCliIT {
  /** A first `era up` on a machine builds the Python guest image. */
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(20);

  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern RUN_NAME = Pattern.compile("run (itvm-[a-z0-9]+) on VM itvm");

  private static Path dir;
  private static CliRunner cli;
  private static String helloRun;

  @BeforeAll
  static void up() throws Exception {
    dir = Files.createTempDirectory("era-cli-it");
    cli = CliRunner.isolated(dir);
    CliRunner.Result up = cli.runJar(UP_TIMEOUT, "up");
    assertThat(up.exitCode()).as("era up: %s", up.stderr()).isZero();
    assertThat(up.stdout())
        .contains("ERA control plane is up", "export KUBECONFIG=" + cli.paths().kubeconfig());
  }

  @AfterAll
  static void down() throws Exception {
    if (cli == null) {
      return;
    }
    try {
      cli.run("clean", "--all");
      CliRunner.Result down = cli.runJar(COMMAND_TIMEOUT, "down");
      assertThat(down.exitCode()).as("era down: %s", down.stderr()).isZero();
      assertThat(Guests.daemonPid(cli)).as("the daemon's pid file").isEmpty();
      assertThat(Guests.processesUnder(dir)).as("VMs left running").isEmpty();
    } finally {
      Guests.cleanUp(cli, dir);
    }
  }

  @Test
  @Order(1)
  void statusReportsTheRunningControlPlane() throws Exception {
    CliRunner.Result status = cli.run("status", "-o", "json");

    assertThat(status.exitCode()).isZero();
    JsonNode json = JSON.readTree(status.stdout());
    assertThat(json.path("running").asBoolean()).isTrue();
    assertThat(json.path("phase").asText()).isEqualTo("ready");
    assertThat(json.path("apiUrl").asText()).startsWith("https://127.0.0.1:");
    assertThat(json.path("kubeconfig").asText()).isEqualTo(cli.paths().kubeconfig().toString());
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.paths().kubeconfig())))
        .as("the kubeconfig holds a token")
        .isEqualTo("rw-------");
    assertThat(json.path("node").asText()).isNotBlank();
  }

  @Test
  @Order(2)
  void createBootsAVmAndShowsProgress() {
    CliRunner.Result create = cli.run("create", "--language", "python", "--name", "itvm");

    assertThat(create.exitCode()).as(create.stderr()).isZero();
    assertThat(create.stdout())
        .startsWith("VM itvm is running on node ")
        .contains("python, 1 vCPU, 256Mi");
    assertThat(create.stderr()).containsPattern("\\[\\s*[0-9.]+s\\] itvm: Running on node ");
  }

  @Test
  @Order(3)
  void kubectlSeesTheVmThroughTheKubeconfig() throws Exception {
    assertThat(Guests.onPath("kubectl"))
        .as("kubectl on PATH (scripts/install-deps.sh installs it)")
        .isTrue();

    CliRunner.Result get =
        cli.withEnv("KUBECONFIG", cli.paths().kubeconfig().toString())
            .runShell(COMMAND_TIMEOUT, "kubectl get eravm itvm");

    assertThat(get.exitCode()).as(get.stderr()).isZero();
    assertThat(get.stdout()).contains("itvm").contains("Running");
  }

  @Test
  @Order(4)
  void runStagesFilesStreamsOutputAndExitsWithTheCommandsCode() throws Exception {
    Path script = Files.writeString(dir.resolve("hello.py"), "print('hello from', 'itvm')\n");

    CliRunner.Result run =
        cli.run(
            "run",
            "--vm",
            "itvm",
            "--file",
            script.toString(),
            "--cmd",
            "python3 hello.py; echo to-stderr >&2; exit 3");

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
    assertThat(run.stdout()).isEqualTo("hello from itvm\n");
    assertThat(run.stderr()).contains("to-stderr");
    Matcher name = RUN_NAME.matcher(run.stderr());
    assertThat(name.find()).as("the run's name in: %s", run.stderr()).isTrue();
    helloRun = name.group(1);
  }

  @Test
  @Order(5)
  void runPrintsJsonForPrograms() throws Exception {
    CliRunner.Result run =
        cli.run("run", "--vm", "itvm", "--cmd", "echo out; echo err >&2", "-o", "json");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode json = JSON.readTree(run.stdout());
    assertThat(json.path("vm").asText()).isEqualTo("itvm");
    assertThat(json.path("phase").asText()).isEqualTo("Succeeded");
    assertThat(json.path("exitCode").asInt(-1)).isZero();
    assertThat(json.path("stdout").asText()).isEqualTo("out\n");
    assertThat(json.path("stderr").asText()).isEqualTo("err\n");
    assertThat(json.path("outputComplete").asBoolean()).isTrue();
  }

  @Test
  @Order(5)
  void runJsonSaysTheOutputIsIncompleteWhenTheNodeDroppedSome() throws Exception {
    CliRunner.Result run =
        cli.run(
            "run",
            "--vm",
            "itvm",
            "-o",
            "json",
            "--cmd",
            "python3 -c \"import sys; sys.stdout.write('x' * 9000000)\"");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode json = JSON.readTree(run.stdout());
    assertThat(json.path("stdout").asText())
        .as("what the node kept")
        .hasSizeLessThan(9_000_000)
        .startsWith("xxx");
    assertThat(json.path("outputComplete").asBoolean()).isFalse();
  }

  @Test
  @Order(5)
  void runJsonReportsARunWhoseVmDiedAndFails() throws Exception {
    succeeds("create", "--language", "python", "--name", "dying");
    CompletableFuture<CliRunner.Result> run =
        CompletableFuture.supplyAsync(
            () -> cli.run("run", "--vm", "dying", "-o", "json", "--cmd", "sleep 120"));
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(cli.paths().kubeconfig())))
            .build()) {
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  client.resources(EraRun.class).list().getItems().stream()
                      .anyMatch(
                          r ->
                              "dying".equals(r.getSpec().getVmName())
                                  && r.getStatus().getPhase() == EraRunPhase.Running));
    }
    Path vmDir = cli.paths().stateDir().resolve("vms").resolve(VmSpecs.vmId(unsaved("dying")));
    Guests.vmProcesses(vmDir).forEach(ProcessHandle::destroyForcibly);

    CliRunner.Result result = run.get(2, TimeUnit.MINUTES);

    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(ExitCodes.ERROR);
    assertThat(result.stderr()).contains("failed");
    JsonNode json = JSON.readTree(result.stdout());
    assertThat(json.path("vm").asText()).isEqualTo("dying");
    assertThat(json.path("phase").asText()).isEqualTo("Failed");
    assertThat(json.path("reason").asText()).isNotBlank();
    // -o json leaves absent values out (JsonOutput), so a command that never exited has no
    // exitCode.
    assertThat(json.has("exitCode")).as("the command never exited").isFalse();
    succeeds("clean", "--vm", "dying");
  }

  @Test
  @Order(6)
  void aCommandPastItsTimeoutIsKilledAndExitsWith124() {
    CliRunner.Result run = cli.run("run", "--vm", "itvm", "--cmd", "sleep 30", "--timeout", "1");

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(run.stderr())
        .contains("timed out after 1 s", "(hint: give it more time with --timeout)");
  }

  @Test
  @Order(7)
  void logsShowTheOutputOfAnEarlierRun() throws Exception {
    CliRunner.Result logs = cli.run("logs", helloRun);
    CliRunner.Result followed = cli.run("logs", "-f", helloRun);
    CliRunner.Result json = cli.run("logs", helloRun, "-o", "json");

    assertThat(logs.exitCode()).as(logs.stderr()).isZero();
    assertThat(logs.stdout()).isEqualTo("hello from itvm\n");
    assertThat(logs.stderr()).isEqualTo("to-stderr\n");
    assertThat(followed.stdout()).isEqualTo(logs.stdout());
    assertThat(JSON.readTree(json.stdout()).path("exitCode").asInt()).isEqualTo(3);
  }

  @Test
  @Order(8)
  void listShowsTheVmAndFiltersByPhase() throws Exception {
    CliRunner.Result table = cli.run("list");
    CliRunner.Result running = cli.run("list", "--status", "running", "-o", "json");
    CliRunner.Result stopped = cli.run("list", "--status", "Stopped");
    CliRunner.Result viaScript = cli.runShell(COMMAND_TIMEOUT, "./era list -o json");

    assertThat(table.stdout()).startsWith("NAME").containsPattern("itvm\\s+python\\s+Running");
    assertThat(names(JSON.readTree(running.stdout()))).containsExactly("itvm");
    assertThat(stopped.stdout()).isEqualTo("No VMs are Stopped.\n");
    assertThat(viaScript.exitCode()).as(viaScript.stderr()).isZero();
    assertThat(names(JSON.readTree(viaScript.stdout()))).containsExactly("itvm");
  }

  @Test
  @Order(9)
  void mistakesAreOneLineErrorsWithAHint() throws Exception {
    cli.run("run", "--vm", "nope", "--cmd", "true")
        .isOneLineError(ExitCodes.ERROR, "VM 'nope' not found");
    cli.run("stop", "--vm", "itvm", "nope").isOneLineError(ExitCodes.ERROR, "VM 'nope' not found");
    cli.run("logs", "nope").isOneLineError(ExitCodes.ERROR, "run 'nope' not found");
    cli.run("create", "--language", "python", "--name", "itvm")
        .isOneLineError(ExitCodes.ERROR, "a VM named 'itvm' already exists");
    cli.run("run", "--vm", "itvm", "--cmd", "true", "--file", dir.resolve("absent.py").toString())
        .isOneLineError(ExitCodes.ERROR, "file not found");
    cli.runJar(COMMAND_TIMEOUT, "create", "--language", "python", "--mem", "64")
        .isOneLineError(ExitCodes.USAGE, "--mem");
    assertThat(names(JSON.readTree(cli.run("list", "-o", "json").stdout())))
        .containsExactly("itvm");
  }

  @Test
  @Order(10)
  void aStoppedVmRefusesRunsUntilItIsStartedAgain() throws Exception {
    CliRunner.Result stop = cli.run("stop", "--vm", "itvm", "-o", "json");
    assertThat(stop.exitCode()).as(stop.stderr()).isZero();
    assertThat(JSON.readTree(stop.stdout()).get(0).path("phase").asText()).isEqualTo("Stopped");

    cli.run("run", "--vm", "itvm", "--cmd", "true")
        .isOneLineError(ExitCodes.ERROR, "VM 'itvm' is not running (it is Stopped)")
        .stderr()
        .contains("era start --vm itvm");

    CliRunner.Result start = cli.run("start", "--vm", "itvm");
    assertThat(start.exitCode()).as(start.stderr()).isZero();
    assertThat(start.stdout()).isEqualTo("itvm: Running\n");
    assertThat(cli.run("run", "--vm", "itvm", "--cmd", "echo again").stdout()).isEqualTo("again\n");
  }

  @Test
  @Order(11)
  void objectsAndRunningVmsSurviveDownAndUp() throws Exception {
    JsonNode kubeconfig = YAML.readTree(cli.paths().kubeconfig().toFile());
    CliRunner.Result down = cli.runJar(COMMAND_TIMEOUT, "down");
    assertThat(down.exitCode()).as(down.stderr()).isZero();
    assertThat(down.stdout()).contains("1 VM(s) keep running");
    assertThat(cli.run("status").exitCode()).isEqualTo(ExitCodes.NOT_RUNNING);
    cli.run("list").isOneLineError(ExitCodes.ERROR, "no control plane running");
    pretendTheControlPlaneWasDownForADay();

    CliRunner.Result up = cli.runJar(UP_TIMEOUT, "up");
    assertThat(up.exitCode()).as(up.stderr()).isZero();
    JsonNode again = YAML.readTree(cli.paths().kubeconfig().toFile());
    assertThat(again.at("/clusters/0/cluster/certificate-authority-data"))
        .as("the same CA")
        .isEqualTo(kubeconfig.at("/clusters/0/cluster/certificate-authority-data"));
    assertThat(again.at("/users/0/user/token"))
        .as("the same token")
        .isEqualTo(kubeconfig.at("/users/0/user/token"));

    JsonNode vms = JSON.readTree(cli.run("list", "-o", "json").stdout());
    assertThat(names(vms)).containsExactly("itvm");
    assertThat(vms.get(0).path("phase").asText()).isEqualTo("Running");
    CliRunner.Result run = cli.run("run", "--vm", "itvm", "--cmd", "echo re-adopted");
    assertThat(run.stdout()).as(run.stderr()).isEqualTo("re-adopted\n");
    assertThat(cli.run("logs", helloRun).stdout()).isEqualTo("hello from itvm\n");
    assertThat(JSON.readTree(cli.run("list", "-o", "json").stdout()).get(0).path("phase").asText())
        .as("the node was not taken for lost")
        .isEqualTo("Running");
  }

  /** Ages the saved EraNode's heartbeat and conditions far past the operator's lost-node grace. */
  private static void pretendTheControlPlaneWasDownForADay() throws Exception {
    Path saved = cli.paths().objectsFile();
    JsonNode state = JSON.readTree(saved.toFile());
    String dayAgo = Instant.now().minus(Duration.ofDays(1)).toString();
    for (JsonNode entry : state.path("objects")) {
      JsonNode object = entry.path("object");
      if ("EraNode".equals(object.path("kind").asText())) {
        ((ObjectNode) object.path("status")).put("heartbeat", dayAgo);
        object
            .path("status")
            .path("conditions")
            .forEach(condition -> ((ObjectNode) condition).put("lastTransitionTime", dayAgo));
      }
    }
    JSON.writeValue(saved.toFile(), state);
  }

  @Test
  @Order(12)
  void downWithStopVmsLeavesNothingRunningAndTheVmComesBackStopped() throws Exception {
    // A pool's ready guest belongs to no EraVM: it must stop too.
    succeeds("pool", "create", "standby", "--language", "python", "--replicas", "1");
    await()
        .atMost(COMMAND_TIMEOUT)
        .until(
            () ->
                JSON.readTree(cli.run("pool", "list", "-o", "json").stdout())
                        .path(0)
                        .path("status")
                        .path("ready")
                        .asInt()
                    == 1);

    CliRunner.Result down = cli.runJar(COMMAND_TIMEOUT, "down", "--stop-vms");
    assertThat(down.exitCode()).as(down.stderr()).isZero();
    assertThat(down.stdout()).doesNotContain("keep running");
    assertThat(Guests.processesUnder(dir)).as("VMs left running").isEmpty();

    CliRunner.Result up = cli.runJar(UP_TIMEOUT, "up");
    assertThat(up.exitCode()).as(up.stderr()).isZero();

    assertThat(cli.run("list", "--status", "stopped").stdout())
        .containsPattern("itvm\\s+python\\s+Stopped");
    assertThat(cli.run("start", "--all").stdout()).isEqualTo("itvm: Running\n");
    succeeds("pool", "delete", "standby");
  }

  @Test
  @Order(13)
  void tempRunsOneCommandInAVmItRemovesAfterwards() throws Exception {
    CliRunner.Result temp =
        cli.run("temp", "--language", "python", "--cmd", "echo temporary; exit 7", "-o", "json");

    assertThat(temp.exitCode()).as(temp.stderr()).isEqualTo(7);
    JsonNode json = JSON.readTree(temp.stdout());
    assertThat(json.path("vm").asText()).startsWith("temp-");
    assertThat(json.path("stdout").asText()).isEqualTo("temporary\n");
    assertThat(names(JSON.readTree(cli.run("list", "-o", "json").stdout())))
        .containsExactly("itvm");
  }

  @Test
  @Order(14)
  void cleanWithKeepPersistKeepsTheDiskForAVmCreatedAgainWithTheSameName() {
    Path disk =
        cli.paths().stateDir().resolve("disks").resolve(VmSpecs.vmId(unsaved("keeper")) + ".img");
    succeeds("create", "--language", "python", "--name", "keeper", "--persist", "64");
    succeeds("run", "--vm", "keeper", "--cmd", "echo kept > kept.txt");

    assertThat(succeeds("clean", "--vm", "keeper", "--keep-persist").stdout())
        .isEqualTo("keeper: removed\n");

    assertThat(disk).exists();
    succeeds("create", "--language", "python", "--name", "keeper", "--persist", "64");
    assertThat(succeeds("run", "--vm", "keeper", "--cmd", "cat kept.txt").stdout())
        .isEqualTo("kept\n");
    succeeds("clean", "--vm", "keeper");
    assertThat(disk).doesNotExist();
  }

  @Test
  @Order(15)
  void cleanRemovesTheVmAndItsProcess() throws Exception {
    CliRunner.Result clean = cli.run("clean", "--vm", "itvm", "-o", "json");

    assertThat(clean.exitCode()).as(clean.stderr()).isZero();
    assertThat(JSON.readTree(clean.stdout()).path("removed").get(0).asText()).isEqualTo("itvm");
    assertThat(cli.run("list").stdout()).isEqualTo("No VMs.\n");
    // The VM's own QEMU; the launcher's spare QEMU of the shape waits on for the next VM.
    assertThat(
            Guests.vmProcesses(
                cli.paths().stateDir().resolve("vms").resolve(VmSpecs.vmId(unsaved("itvm")))))
        .isEmpty();
  }

  private static CliRunner.Result succeeds(String... args) {
    CliRunner.Result result = cli.run(args);
    assertThat(result.exitCode())
        .as("era %s: %s", String.join(" ", args), result.stderr())
        .isZero();
    return result;
  }

  private static EraVM unsaved(String name) {
    EraVM vm = new EraVM();
    vm.getMetadata().setNamespace("default");
    vm.getMetadata().setName(name);
    return vm;
  }

  private static List<String> names(JsonNode vms) {
    return StreamSupport.stream(vms.spliterator(), false)
        .map(vm -> vm.path("name").asText())
        .toList();
  }
}
