package dev.era.nodeagent;

import static dev.era.nodeagent.VmsAndRuns.awaitFinished;
import static dev.era.nodeagent.VmsAndRuns.awaitVm;
import static dev.era.nodeagent.VmsAndRuns.createRun;
import static dev.era.nodeagent.VmsAndRuns.createVm;
import static dev.era.nodeagent.VmsAndRuns.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.Accelerator;
import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraRunStatus;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.KeyRef;
import dev.era.api.Reasons;
import dev.era.api.RunEnvVar;
import dev.era.api.RunFile;
import dev.era.api.Times;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.RequiresQemu;
import dev.era.launcher.qemu.TestQmp;
import dev.era.launcher.qemu.VmPaths;
import dev.era.nodeagent.vm.VmSpecs;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * EraRuns end to end on two real guests (Python and Node.js), booted once for the class: files from
 * every source, env, failures, timeouts, concurrent runs, bounded status output with the full log
 * on the node, and the agent's log endpoint.
 */
@ExtendWith(RequiresQemu.class)
class RunsIT {
  @TempDir static Path dir;
  static AgentCluster cluster;
  static KubernetesClient client;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    cluster = AgentCluster.start(dir, GuestLanguage.PYTHON, GuestLanguage.NODE);
    client = cluster.client();
    createVm(client, "py", "python", s -> {});
    createVm(client, "js", "node", s -> {});
    awaitVm(client, "py", EraVMPhase.Running);
    awaitVm(client, "js", EraVMPhase.Running);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aVmBecomesRunningAndReady() throws Exception {
    EraVM vm = VmsAndRuns.getVm(client, "py");

    assertThat(vm.getStatus().getNodeName()).isEqualTo(AgentCluster.NODE);
    assertThat(vm.getStatus().isTrue(ConditionTypes.READY)).isTrue();
    assertThat(Times.parse(vm.getStatus().getBootedAt())).isPresent();
    boolean kvm = qemuRunsOnKvm(vm);
    assertThat(vm.getStatus().condition(ConditionTypes.ACCELERATED))
        .hasValueSatisfying(
            c -> {
              assertThat(c.getStatus()).isEqualTo(kvm ? ConditionTypes.TRUE : ConditionTypes.FALSE);
              assertThat(c.getReason()).isEqualTo(kvm ? Reasons.KVM : Reasons.TCG);
            });
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, "py"))
                    .anyMatch(e -> Reasons.GUEST_READY.equals(e.getReason())));
  }

  @Test
  void theNodeReportsCapacityVmsImagesAndAHeartbeat() throws Exception {
    EraNode node = client.resources(EraNode.class).withName(AgentCluster.NODE).get();

    assertThat(node.getStatus().isTrue(ConditionTypes.READY)).isTrue();
    assertThat(node.getStatus().getAccelerator())
        .isEqualTo(
            qemuRunsOnKvm(VmsAndRuns.getVm(client, "py")) ? Accelerator.kvm : Accelerator.tcg);
    assertThat(node.getStatus().getImages()).contains("python", "node");
    assertThat(node.getStatus().getCapacity().getCpu())
        .as("the host's CPUs as nproc counts them, times the test's allocation ratio")
        .isEqualTo(hostCpus() * AgentCluster.CPU_ALLOCATION_RATIO);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              EraNode now = client.resources(EraNode.class).withName(AgentCluster.NODE).get();
              assertThat(now.getStatus().getAllocated().getCpu()).isEqualTo(2);
              assertThat(now.getStatus().getAllocated().getMemory()).isEqualTo("512Mi");
            });
    assertThat(node.getStatus().getAgentEndpoint()).isEqualTo(cluster.agent().endpoint());
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create(node.getStatus().getAgentEndpoint() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);

    String first = node.getStatus().getHeartbeat();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                !first.equals(
                    client
                        .resources(EraNode.class)
                        .withName(AgentCluster.NODE)
                        .get()
                        .getStatus()
                        .getHeartbeat()));
  }

  /** QEMU's own answer (query-kvm), not the launcher's probe the agent reports. */
  private static boolean qemuRunsOnKvm(EraVM vm) throws IOException {
    Path qmp = VmPaths.of(cluster.launcherState(), VmSpecs.vmId(vm)).qmpSocket();
    return TestQmp.execute(qmp, "query-kvm").path("enabled").asBoolean();
  }

  private static int hostCpus() throws IOException, InterruptedException {
    Process nproc = new ProcessBuilder("nproc").start();
    String count = new String(nproc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(nproc.waitFor()).isZero();
    return Integer.parseInt(count.strip());
  }

  @Test
  void aPythonRunWithFilesFromEverySourceSucceeds() {
    byte[] binary = {0, 1, (byte) 0xfe, (byte) 0xff, 10};
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("py-config")
                .withNamespace(VmsAndRuns.NAMESPACE)
                .endMetadata()
                .withData(Map.of("config.json", "{\"answer\": 42}"))
                .build())
        .create();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("py-secret")
                .withNamespace(VmsAndRuns.NAMESPACE)
                .endMetadata()
                .withData(Map.of("token", Base64.getEncoder().encodeToString("s3cret".getBytes())))
                .build())
        .create();
    String script =
        String.join(
            "\n",
            "import json, os",
            "print('greeting', os.environ['GREETING'])",
            "print('bytes', list(open('data/blob.bin', 'rb').read()))",
            "print('answer', json.load(open('conf/config.json'))['answer'])",
            "print('token', open('token').read())",
            "print('mode', oct(os.stat('run.sh').st_mode & 0o777))",
            "print('cwd', os.getcwd())");
    createRun(
        client,
        "py-files",
        "py",
        s -> {
          s.setCommand(List.of("python3", "main.py"));
          s.setEnv(List.of(new RunEnvVar("GREETING", "hello")));
          s.setFiles(
              List.of(
                  file("main.py", f -> f.setContent(script)),
                  file(
                      "data/blob.bin",
                      f -> f.setContentBase64(Base64.getEncoder().encodeToString(binary))),
                  file(
                      "conf/config.json",
                      f -> f.setConfigMapRef(new KeyRef("py-config", "config.json"))),
                  file("token", f -> f.setSecretRef(new KeyRef("py-secret", "token"))),
                  file(
                      "run.sh",
                      f -> {
                        f.setContent("#!/bin/sh\necho hi\n");
                        f.setMode(0755);
                      })));
        });

    EraRunStatus status = awaitFinished(client, "py-files").getStatus();

    assertThat(status.getPhase())
        .as(status.getMessage() + "\n" + status.getStderr())
        .isEqualTo(EraRunPhase.Succeeded);
    assertThat(status.getExitCode()).isZero();
    assertThat(status.getStdout())
        .isEqualTo(
            String.join(
                "\n",
                "greeting hello",
                "bytes [0, 1, 254, 255, 10]",
                "answer 42",
                "token s3cret",
                "mode 0o755",
                "cwd /work",
                ""));
    assertThat(status.getStderr()).isEmpty();
    assertThat(status.getStdoutTruncated()).isFalse();
    Instant started = Times.parse(status.getStartedAt()).orElseThrow();
    assertThat(Times.parse(status.getFinishedAt()))
        .hasValueSatisfying(finished -> assertThat(finished).isAfterOrEqualTo(started));
    // Recorded beside the command, so it may land just after the run's end.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(VmsAndRuns.getVm(client, "py").getStatus().getLastRunAt()).isNotNull());
  }

  @Test
  void aNodeRunWithFilesSucceeds() {
    createRun(
        client,
        "js-files",
        "js",
        s -> {
          s.setCommand(List.of("node", "index.js"));
          s.setEnv(List.of(new RunEnvVar("WHO", "era")));
          s.setFiles(
              List.of(
                  file(
                      "index.js",
                      f ->
                          f.setContent(
                              "const u = require('./lib/util.js');\nconsole.log(u.greet(process.env.WHO));\n")),
                  file("lib/util.js", f -> f.setContent("exports.greet = n => 'hello ' + n;\n"))));
        });

    EraRunStatus status = awaitFinished(client, "js-files").getStatus();

    assertThat(status.getPhase())
        .as(status.getMessage() + "\n" + status.getStderr())
        .isEqualTo(EraRunPhase.Succeeded);
    assertThat(status.getStdout()).isEqualTo("hello era\n");
  }

  @Test
  void aNonZeroExitFailsWithTheExitCode() {
    createRun(client, "exit-3", "py", s -> s.setShell("echo oops >&2; exit 3"));

    EraRunStatus status = awaitFinished(client, "exit-3").getStatus();

    assertThat(status.getPhase()).isEqualTo(EraRunPhase.Failed);
    assertThat(status.getExitCode()).isEqualTo(3);
    assertThat(status.getReason()).isEqualTo(Reasons.EXITED);
    assertThat(status.getStderr()).isEqualTo("oops\n");
  }

  @Test
  void aRunPastItsTimeoutIsTimedOut() {
    createRun(
        client,
        "too-slow",
        "py",
        s -> {
          s.setCommand(List.of("sleep", "60"));
          s.setTimeoutSeconds(2);
        });

    EraRunStatus status = awaitFinished(client, "too-slow").getStatus();

    assertThat(status.getPhase()).isEqualTo(EraRunPhase.TimedOut);
    assertThat(status.getReason()).isEqualTo(Reasons.TIMED_OUT);
    assertThat(status.getExitCode()).isEqualTo(128 + 9);
    Duration took =
        Duration.between(
            Times.parse(status.getStartedAt()).orElseThrow(),
            Times.parse(status.getFinishedAt()).orElseThrow());
    assertThat(took).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void runsOfOneVmRunAtTheSameTime() {
    // Each waits for the other's file: both succeed only if they run at once.
    String wait =
        "touch %s.ready; for i in $(seq 1 600); do [ -f %s.ready ] && exit 0; sleep 0.1; done; exit 1";
    createRun(
        client,
        "together-a",
        "py",
        s -> {
          s.setShell(String.format(wait, "together-a", "together-b"));
          s.setTimeoutSeconds(120);
        });
    createRun(
        client,
        "together-b",
        "py",
        s -> {
          s.setShell(String.format(wait, "together-b", "together-a"));
          s.setTimeoutSeconds(120);
        });

    assertThat(awaitFinished(client, "together-a").getStatus().getPhase())
        .isEqualTo(EraRunPhase.Succeeded);
    assertThat(awaitFinished(client, "together-b").getStatus().getPhase())
        .isEqualTo(EraRunPhase.Succeeded);
  }

  @Test
  void bigOutputKeepsItsTailInTheStatusAndAllOfItOnTheNode() throws Exception {
    createRun(
        client,
        "big",
        "py",
        s ->
            s.setCommand(
                List.of("python3", "-c", "import sys; sys.stdout.write('x' * 200000 + 'END\\n')")));

    EraRun run = awaitFinished(client, "big");

    assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Succeeded);
    assertThat(run.getStatus().getStdout())
        .hasSize(EraRunStatus.OUTPUT_TAIL_BYTES)
        .endsWith("xEND\n");
    assertThat(run.getStatus().getStdoutTruncated()).isTrue();
    assertThat(run.getStatus().getOutputDropped()).as("the node has all of it").isFalse();
    URI bigStdout = URI.create(cluster.agent().endpoint() + "/runs/default/big/stdout");
    assertThat(
            http.send(
                    HttpRequest.newBuilder(bigStdout).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .as("without a token")
        .isEqualTo(401);
    HttpResponse<String> full =
        http.send(authorized(bigStdout).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(full.statusCode()).isEqualTo(200);
    assertThat(full.body()).hasSize(200004).startsWith("xxx").endsWith("xEND\n");
  }

  @Test
  void followingALogStreamsItUntilTheRunEnds() throws Exception {
    // Follow before the run exists on the node: the endpoint waits for it, then streams.
    createRun(
        client,
        "counting",
        "py",
        s -> s.setShell("for i in 1 2 3; do echo line$i; echo err$i >&2; sleep 0.3; done"));
    CompletableFuture<HttpResponse<String>> followed =
        http.sendAsync(
            authorized(
                    URI.create(
                        cluster.agent().endpoint() + "/runs/default/counting/stdout?follow=true"))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

    HttpResponse<String> response =
        followed.get(VmsAndRuns.RUN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("line1\nline2\nline3\n");
    assertThat(awaitFinished(client, "counting").getStatus().getPhase())
        .isEqualTo(EraRunPhase.Succeeded);
    HttpResponse<String> stderr =
        http.send(
            authorized(URI.create(cluster.agent().endpoint() + "/runs/default/counting/stderr"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(stderr.body()).isEqualTo("err1\nerr2\nerr3\n");
  }

  @Test
  void aMissingConfigMapFailsTheRunWithAnEvent() {
    createRun(
        client,
        "no-config",
        "py",
        s -> {
          s.setCommand(List.of("true"));
          s.setFiles(List.of(file("x.json", f -> f.setConfigMapRef(new KeyRef("nope", "x.json")))));
        });

    EraRunStatus status = awaitFinished(client, "no-config").getStatus();

    assertThat(status.getPhase()).isEqualTo(EraRunPhase.Failed);
    assertThat(status.getReason()).isEqualTo(Reasons.STAGING_FAILED);
    assertThat(status.getMessage()).contains("ConfigMap default/nope does not exist");
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, "no-config"))
                    .anyMatch(
                        e ->
                            "Warning".equals(e.getType())
                                && Reasons.STAGING_FAILED.equals(e.getReason())));
  }

  /** A request to the agent's endpoint as the test's admin user, whom the API server knows. */
  private static HttpRequest.Builder authorized(URI uri) {
    return HttpRequest.newBuilder(uri)
        .header("Authorization", "Bearer " + client.getConfiguration().getOauthToken());
  }

  private static RunFile file(String path, java.util.function.Consumer<RunFile> content) {
    RunFile file = new RunFile();
    file.setPath(path);
    content.accept(file);
    return file;
  }
}
