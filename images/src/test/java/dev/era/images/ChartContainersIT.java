package dev.era.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.NodeResources;
import dev.era.api.Quantities;
import dev.era.api.Reasons;
import dev.era.api.ReservationPods;
import dev.era.apiserver.Component;
import dev.era.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart's containers, run for real: the chart is rendered with Helm, and the operator
 * Deployment's and the node-agent DaemonSet's containers run from the images this module built,
 * with podman, as their manifests declare ({@link PodmanRun}), each with its own chart service
 * account's token, against the embedded API server on the host. Host networking stands in for the
 * pod network, so both reach the API server on 127.0.0.1. The operator places VMs through
 * reservation pods, which {@link StandInKubelet} binds and runs as containers of their own.
 */
class ChartContainersIT {
  private static final String RELEASE = "era";
  private static final String NODE = "podman-node";
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration VM_TIMEOUT = Duration.ofMinutes(5);

  private static final Podman podman = new Podman();
  private static final List<String> containers = new ArrayList<>();
  private static final List<String> loaded = new ArrayList<>();
  private static EmbeddedApiServer server;
  private static Path work;
  private static Path kubeconfig;
  private static Path stateDir;
  private static URI operatorReadiness;
  private static URI agentReadiness;
  private static StandInKubelet kubelet;

  @BeforeAll
  static void runTheChartsContainers() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "the node agent's container is privileged: rootful podman, as root");
    if (!Podman.installed()) {
      fail("podman is not installed: run scripts/install-deps.sh");
    }
    String operatorImage = System.getProperty("era.operator.image");
    String agentImage = System.getProperty("era.node-agent.image");
    load(System.getProperty("era.operator.archive"), operatorImage);
    load(System.getProperty("era.node-agent.archive"), agentImage);

    work = Files.createTempDirectory(Path.of("target"), "chart-it-").toAbsolutePath();
    stateDir = work.resolve("node/state");
    server = new EmbeddedApiServer();
    server.start(0);
    kubeconfig = work.resolve("kubeconfig");
    server.writeKubeconfig(kubeconfig);
    server
        .client()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(Component.NAMESPACE)
                .endMetadata()
                .build())
        .create();

    int operatorHttp = freePort();
    int agentPort = freePort();
    Path values =
        manifest(
            "values.yaml",
            """
        operator:
          image: {tag: "%s"}
          # Host networking: one port space for everything, so the HTTP port moves to a free one.
          extraEnv: [{name: QUARKUS_HTTP_PORT, value: "%d"}]
        nodeAgent:
          image: {tag: "%s"}
          port: %d
          kvm: {hostDevice: false}
          hostPaths: {state: "%s", cache: "%s"}
        """
                .formatted(
                    tag(operatorImage),
                    operatorHttp,
                    tag(agentImage),
                    agentPort,
                    stateDir,
                    work.resolve("node/cache")));
    String manifests =
        new Helm(Path.of(System.getProperty("era.chart.dir")))
            .template()
            .withName(RELEASE)
            .withNamespace(Component.NAMESPACE)
            .withValuesFile(values)
            .call();
    List<HasMetadata> objects =
        server
            .client()
            .load(new ByteArrayInputStream(manifests.getBytes(StandardCharsets.UTF_8)))
            .items();
    PodSpec operator = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
    PodSpec agent = one(objects, DaemonSet.class).getSpec().getTemplate().getSpec();
    // The chart's default repositories are the images this build makes.
    assertThat(operator.getContainers().get(0).getImage()).isEqualTo(operatorImage);
    assertThat(agent.getContainers().get(0).getImage()).isEqualTo(agentImage);

    PodmanRun.Node operatorNode = node("operator", operator, p -> p == 8080 ? operatorHttp : p);
    PodmanRun.Node agentNode = node("node-agent", agent, p -> p);
    start("era-it-operator", operator, operatorNode);
    start("era-it-node-agent", agent, agentNode);
    operatorReadiness = PodmanRun.readinessUrl(operator, operatorNode);
    awaitReady(operatorReadiness);
    agentReadiness = PodmanRun.readinessUrl(agent, agentNode);
    awaitReady(agentReadiness);
    kubelet = new StandInKubelet(server.client(), podman, NODE, agentImage);
    kubelet.start();
  }

  @AfterAll
  static void stopThem() {
    if (kubelet != null) {
      System.out.println("--- stand-in kubelet's problems: " + kubelet.problems());
      kubelet.close();
    }
    for (String name : containers) {
      try {
        System.out.println("--- podman logs " + name + "\n" + podman.run("logs", name));
      } catch (RuntimeException e) {
        System.out.println("--- no logs of " + name + ": " + e.getMessage());
      }
      try {
        podman.run("rm", "--force", "--time", "30", name);
      } catch (RuntimeException e) {
        System.out.println("--- cannot remove " + name + ": " + e.getMessage());
      }
    }
    // A load under a name already taken leaves the older image nameless: remove what was loaded.
    for (String image : loaded) {
      try {
        podman.run("rmi", "--force", image);
      } catch (RuntimeException e) {
        System.out.println("--- cannot remove image " + image + ": " + e.getMessage());
      }
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anEraVmRunsEraRunsWithInlineAndSecretFilesAndIsDeletedWithNothingLeft() throws Exception {
    KubernetesClient client = server.client();
    Path vm = ROOT.resolve("examples/eravm.yaml");
    Path run = ROOT.resolve("examples/erarun.yaml");
    kubectl("apply", "-f", vm.toString());
    await()
        .atMost(VM_TIMEOUT)
        .until(
            () ->
                phase(client.resources(EraVM.class).withName("sandbox").get())
                    == EraVMPhase.Running);
    EraVM sandbox = client.resources(EraVM.class).withName("sandbox").get();
    assertThat(sandbox.getStatus().getNodeName()).isEqualTo(NODE);
    Pod pod = reservationPod(client, sandbox);
    assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits())
        .as("the VM's CPU, and its memory with the VMM's overhead (TCG)")
        .containsEntry("cpu", new Quantity("1"))
        .containsEntry("memory", new Quantity((256 + 192) + "Mi"));
    assertThat(pod.getSpec().getContainers().get(0).getResources().getRequests())
        .isEqualTo(pod.getSpec().getContainers().get(0).getResources().getLimits());
    assertQemuIsInItsPod(pod);

    kubectl("apply", "-f", run.toString());
    EraRun done = finished(client, "sandbox-hello");
    assertThat(done.getStatus().getPhase()).as(outcome(done)).isEqualTo(EraRunPhase.Succeeded);
    assertThat(done.getStatus().getExitCode()).isZero();
    assertThat(done.getStatus().getStdout()).isEqualTo("Hello from an EraRun manifest\n");

    kubectl("create", "secret", "generic", "greeting", "--from-literal=name=from a Secret");
    Path secretRun =
        manifest(
            "secret-run.yaml",
            """
        apiVersion: era.dev/v1alpha1
        kind: EraRun
        metadata: {name: staged-secret}
        spec:
          vmName: sandbox
          shell: cat greeting.txt
          files: [{path: greeting.txt, secretRef: {name: greeting, key: name}}]
        """);
    kubectl("apply", "-f", secretRun.toString());
    EraRun staged = finished(client, "staged-secret");
    assertThat(staged.getStatus().getPhase()).as(outcome(staged)).isEqualTo(EraRunPhase.Succeeded);
    assertThat(staged.getStatus().getStdout()).isEqualTo("from a Secret");

    kubectl("delete", "--wait=true", "--timeout=300s", "-f", vm.toString());
    assertThat(client.resources(EraVM.class).withName("sandbox").get()).isNull();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                podman
                    .run(
                        "ps",
                        "--all",
                        "--quiet",
                        "--filter",
                        "name=" + StandInKubelet.container(pod))
                    .isBlank());
    try (Stream<Path> left = Files.list(stateDir.resolve("launcher/vms"))) {
      assertThat(left)
          .as("VM runtime directories left on the node (the launcher's spare QEMU aside)")
          .filteredOn(dir -> !dir.getFileName().toString().startsWith("spare-"))
          .isEmpty();
    }
  }

  /**
   * A VM runs in its reservation pod, not in the node-agent container: restarting that container
   * (an upgrade, a crash) leaves the VM's QEMU running, the new agent re-adopts it, and a run in
   * flight across the restart completes with all its output.
   */
  @Test
  void restartingTheNodeAgentContainerLeavesVmsRunningAndRunsComplete() throws Exception {
    KubernetesClient client = server.client();
    Path manifests =
        manifest(
            "restart.yaml",
            """
        apiVersion: era.dev/v1alpha1
        kind: EraVM
        metadata: {name: restarted}
        spec: {language: python, memory: 256Mi, persist: {size: 64Mi}}
        ---
        apiVersion: era.dev/v1alpha1
        kind: EraRun
        metadata: {name: across-restart}
        spec: {vmName: restarted, shell: "echo before the restart; sleep 25; echo after it"}
        """);
    kubectl("apply", "-f", manifests.toString());
    Path stdout = stateDir.resolve("node-agent/runs/default/across-restart/stdout");
    await()
        .atMost(VM_TIMEOUT)
        .until(
            () -> Files.exists(stdout) && Files.readString(stdout).equals("before the restart\n"));
    EraVM vm = client.resources(EraVM.class).withName("restarted").get();
    long qemu = assertQemuIsInItsPod(reservationPod(client, vm));

    podman.run("stop", "--time", "30", "era-it-node-agent");
    assertThat(ProcessHandle.of(qemu)).as("QEMU while no agent runs").isPresent();
    podman.run("start", "era-it-node-agent");
    awaitReady(agentReadiness);

    EraRun run = finished(client, "across-restart");
    assertThat(run.getStatus().getPhase()).as(outcome(run)).isEqualTo(EraRunPhase.Succeeded);
    assertThat(run.getStatus().getStdout()).isEqualTo("before the restart\nafter it\n");
    EraVM after = client.resources(EraVM.class).withName("restarted").get();
    assertThat(after.getStatus().getPhase()).isEqualTo(EraVMPhase.Running);
    assertThat(after.getStatus().getBootedAt()).isEqualTo(vm.getStatus().getBootedAt());
    assertThat(assertQemuIsInItsPod(reservationPod(client, after))).isEqualTo(qemu);
    kubectl("delete", "--wait=true", "--timeout=300s", "-f", manifests.toString());
  }

  /**
   * An egress VM's proxy is in its pod's network namespace, where the VM's QEMU reaches it on
   * loopback: a name the allow-list lacks is answered 403 by the proxy and becomes an EgressDenied
   * event, and the namespace holds the rules that keep QEMU's own sockets to the proxy.
   */
  @Test
  void anEgressVmInItsPodReachesItsProxyThere() throws Exception {
    KubernetesClient client = server.client();
    Path manifests =
        manifest(
            "egress.yaml",
            """
        apiVersion: era.dev/v1alpha1
        kind: EraVM
        metadata: {name: egress}
        spec: {language: python, memory: 256Mi, network: egress, egressAllow: ["allowed.test:80"]}
        ---
        apiVersion: era.dev/v1alpha1
        kind: EraRun
        metadata: {name: egress-denied}
        spec:
          vmName: egress
          shell: |
            python3 - <<'PY'
            import urllib.request, urllib.error
            try:
                urllib.request.urlopen('http://denied.test/', timeout=20)
            except urllib.error.HTTPError as e:
                print(e.code)
            PY
        """);
    kubectl("apply", "-f", manifests.toString());

    EraRun run = finished(client, "egress-denied");
    assertThat(run.getStatus().getPhase()).as(outcome(run)).isEqualTo(EraRunPhase.Succeeded);
    assertThat(run.getStatus().getStdout()).isEqualTo("403\n");
    EraVM vm = client.resources(EraVM.class).withName("egress").get();
    long qemu = assertQemuIsInItsPod(reservationPod(client, vm));
    Process nft =
        new ProcessBuilder("nsenter", "--net=/proc/" + qemu + "/ns/net", "nft", "list", "ruleset")
            .redirectErrorStream(true)
            .start();
    assertThat(new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .as("the rules in the pod's namespace")
        .contains("table inet era_guests", "meta skuid", "jump egress");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        client.v1().events().inNamespace("default").list().getItems().stream()
                            .filter(e -> "egress".equals(e.getInvolvedObject().getName()))
                            .map(e -> e.getReason()))
                    .contains(Reasons.EGRESS_DENIED));
    kubectl("delete", "--wait=true", "--timeout=300s", "-f", manifests.toString());
  }

  /**
   * A pool's warm guest waits in a warm pod of its own, in that pod's cgroups and network
   * namespace; a VM of the pool takes the pod over and gets that very guest (the same QEMU), and
   * the pool makes another warm pod with a guest of its own.
   */
  @Test
  void aPoolsGuestWaitsInAWarmPodThatAVmOfThePoolTakesOver() throws Exception {
    KubernetesClient client = server.client();
    Path manifests =
        manifest(
            "pool.yaml",
            """
        apiVersion: era.dev/v1alpha1
        kind: EraPool
        metadata: {name: warm}
        spec: {replicas: 1, template: {language: python, memory: 256Mi}}
        """);
    kubectl("apply", "-f", manifests.toString());
    await().atMost(VM_TIMEOUT).until(() -> poolReady(client) == 1);
    List<Pod> warmPods = warmPods(client);
    assertThat(warmPods).hasSize(1);
    Pod warmPod = warmPods.get(0);
    long guest = assertQemuIsInItsPod(warmPod);

    Path vmManifest =
        manifest(
            "pool-vm.yaml",
            """
        apiVersion: era.dev/v1alpha1
        kind: EraVM
        metadata: {name: from-pool}
        spec: {language: python, memory: 256Mi, pool: warm}
        """);
    kubectl("apply", "-f", vmManifest.toString());
    await()
        .atMost(VM_TIMEOUT)
        .until(
            () ->
                phase(client.resources(EraVM.class).withName("from-pool").get())
                    == EraVMPhase.Running);
    EraVM vm = client.resources(EraVM.class).withName("from-pool").get();
    assertThat(vm.getStatus().getWarmGuest()).isNotNull();
    Pod taken = reservationPod(client, vm);
    assertThat(taken.getMetadata().getName()).isEqualTo(warmPod.getMetadata().getName());
    assertThat(taken.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(vm.getMetadata().getUid()));
    assertThat(assertQemuIsInItsPod(taken)).as("the guest that waited in the pod").isEqualTo(guest);

    // Timed, one at a time: each VM created once the pool has a ready guest in a new warm pod.
    List<String> used = new ArrayList<>(List.of(warmPod.getMetadata().getName()));
    List<Long> millis = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Thread.sleep(1000); // the agent's report of the last claim reaches the pool's status
      Pod next = awaitNewReadyWarmPod(client, used);
      await().untilAsserted(() -> assertThat(assertQemuIsInItsPod(next)).isNotEqualTo(guest));
      String name = "from-pool-" + i;
      names.add(name);
      EraVM timed =
          client
              .getKubernetesSerialization()
              .unmarshal(
                  """
                  apiVersion: era.dev/v1alpha1
                  kind: EraVM
                  metadata: {name: %s, namespace: default}
                  spec: {language: python, memory: 256Mi, pool: warm}
                  """
                      .formatted(name),
                  EraVM.class);
      long start = System.nanoTime();
      client.resource(timed).create();
      await()
          .atMost(VM_TIMEOUT)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () ->
                  phase(client.resources(EraVM.class).withName(name).get()) == EraVMPhase.Running);
      millis.add((System.nanoTime() - start) / 1_000_000);
      EraVM running = client.resources(EraVM.class).withName(name).get();
      assertThat(running.getStatus().getWarmGuest()).as("bound to a warm guest").isNotNull();
      assertThat(reservationPod(client, running))
          .as("the warm pod it took over")
          .extracting(p -> p.getMetadata().getName())
          .isEqualTo(next.getMetadata().getName());
    }
    System.out.printf(
        "warm-pod path, EraVM create to Running (ms, one at a time, a ready guest waiting): %s%n",
        millis);

    for (String name : names) {
      client.resources(EraVM.class).withName(name).delete();
    }
    kubectl("delete", "--wait=true", "--timeout=300s", "-f", vmManifest.toString());
    kubectl("delete", "--wait=true", "--timeout=300s", "-f", manifests.toString());
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(() -> assertThat(warmPods(client)).isEmpty());
  }

  /** Waits for a warm pod not seen before whose guest is ready, and records it as seen. */
  private static Pod awaitNewReadyWarmPod(KubernetesClient client, List<String> seen) {
    Pod next =
        await()
            .atMost(VM_TIMEOUT)
            .until(
                () ->
                    warmPods(client).stream()
                        .filter(p -> !seen.contains(p.getMetadata().getName()))
                        .filter(p -> p.getSpec().getNodeName() != null)
                        .findFirst()
                        .orElse(null),
                pod -> pod != null);
    seen.add(next.getMetadata().getName());
    await().atMost(VM_TIMEOUT).until(() -> poolReady(client) == 1);
    return next;
  }

  /** Writes manifests for kubectl into the test's directory. */
  private static Path manifest(String file, String yaml) throws IOException {
    return Files.writeString(work.resolve(file), yaml);
  }

  private static int poolReady(KubernetesClient client) {
    EraPool pool = client.resources(EraPool.class).withName("warm").get();
    return pool == null || pool.getStatus().getReady() == null ? 0 : pool.getStatus().getReady();
  }

  private static List<Pod> warmPods(KubernetesClient client) {
    return client
        .pods()
        .inNamespace("default")
        .withLabel(ReservationPods.POOL_UID_LABEL)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /**
   * A VM whose QEMU outgrows its pod's memory limit is OOM-killed alone: its EraVM fails (VMDied),
   * while the pod's own process, the node agent and another VM on the node go on. The stand-in
   * kubelet's limit is lowered under the running VM, as a QEMU that outgrew the measured overhead
   * would find it.
   */
  @Test
  void aVmThatTouchesMoreMemoryThanItsPodAllowsIsStoppedAlone() throws Exception {
    KubernetesClient client = server.client();
    Path manifests =
        manifest(
            "hungry.yaml",
            """
        apiVersion: era.dev/v1alpha1
        kind: EraVM
        metadata: {name: hungry}
        spec: {language: python, memory: 512Mi}
        ---
        apiVersion: era.dev/v1alpha1
        kind: EraVM
        metadata: {name: bystander}
        spec: {language: python, memory: 256Mi}
        """);
    kubectl("apply", "-f", manifests.toString());
    for (String name : List.of("hungry", "bystander")) {
      await()
          .atMost(VM_TIMEOUT)
          .until(
              () ->
                  phase(client.resources(EraVM.class).withName(name).get()) == EraVMPhase.Running);
    }
    Pod pod = reservationPod(client, client.resources(EraVM.class).withName("hungry").get());
    long qemu = assertQemuIsInItsPod(pod);
    // Once the guest has given back what its boot left behind (free page reporting), the pod's
    // allowance becomes what QEMU holds and 128 MiB, which the command below exceeds.
    long idle = await().atMost(Duration.ofSeconds(60)).until(() -> rssMib(qemu), rss -> rss < 300);
    limitMemory(kubelet.pid(pod), idle + 128);
    Path run =
        manifest(
            "touch.yaml",
            """
        apiVersion: era.dev/v1alpha1
        kind: EraRun
        metadata: {name: touch}
        spec:
          vmName: hungry
          command: [python3, -c, "b = bytearray(350 << 20)\\nfor i in range(0, len(b), 4096): b[i] = 1"]
        """);
    kubectl("apply", "-f", run.toString());

    await()
        .atMost(VM_TIMEOUT)
        .until(
            () -> client.resources(EraVM.class).withName("hungry").get().getStatus(),
            st -> st.getPhase() == EraVMPhase.Failed && Reasons.VM_DIED.equals(st.getReason()));
    assertThat(finished(client, "touch").getStatus().getPhase()).isEqualTo(EraRunPhase.Failed);
    assertThat(ProcessHandle.of(qemu)).isEmpty();
    assertThat(ProcessHandle.of(kubelet.pid(pod))).as("the pod's own process").isPresent();
    assertThat(phase(client.resources(EraVM.class).withName("bystander").get()))
        .isEqualTo(EraVMPhase.Running);
    awaitReady(agentReadiness);
    kubectl(
        "delete",
        "--wait=true",
        "--timeout=300s",
        "-f",
        manifests.toString(),
        "-f",
        run.toString());
  }

  /**
   * The operator container is killed (SIGKILL, nothing flushed) once it has placed the first of two
   * VMs; the second is created while it is down, and it is started again: the new operator must
   * take the first VM's placement from the API and place only the second. Evidence from outside the
   * operator: each VM is Running on the node with one Scheduled event (a VM placed again would get
   * a second one from the new operator); the node agent booted each once (one GuestReady event, no
   * BootFailed or VMDied); its EraNode reports exactly the two VMs' CPU and memory; and the
   * node-agent container runs one QEMU process each.
   */
  @Test
  void killingTheOperatorContainerMidPlacementPlacesNoVmTwice() throws Exception {
    KubernetesClient client = server.client();
    List<String> names = List.of("placed-first", "placed-after-restart");
    List<Path> manifests = new ArrayList<>();
    for (String name : names) {
      Path manifest =
          manifest(
              name + ".yaml",
              """
          apiVersion: era.dev/v1alpha1
          kind: EraVM
          metadata: {name: %s}
          spec: {language: python, cpu: 1, memory: 256Mi}
          """
                  .formatted(name));
      manifests.add(manifest);
    }
    kubectl("apply", "-f", manifests.get(0).toString());
    await().atMost(VM_TIMEOUT).until(() -> nodeName(client, names.get(0)) != null);
    podman.run("kill", "era-it-operator");
    kubectl("apply", "-f", manifests.get(1).toString());
    assertThat(nodeName(client, names.get(1))).as("placed with no operator").isNull();
    podman.run("start", "era-it-operator");
    awaitReady(operatorReadiness);

    for (String name : names) {
      EraVM vm =
          await()
              .atMost(VM_TIMEOUT)
              .until(
                  () -> client.resources(EraVM.class).withName(name).get(),
                  v -> phase(v) == EraVMPhase.Running || phase(v) == EraVMPhase.Failed);
      assertThat(vm.getStatus().getPhase())
          .as("%s: %s", name, vm.getStatus().getMessage())
          .isEqualTo(EraVMPhase.Running);
      assertThat(vm.getStatus().getNodeName()).isEqualTo(NODE);
      // Events are written in the background, after the status they describe.
      await()
          .untilAsserted(
              () ->
                  assertThat(
                          client.v1().events().inNamespace("default").list().getItems().stream()
                              .filter(e -> name.equals(e.getInvolvedObject().getName()))
                              .collect(
                                  Collectors.toMap(
                                      Event::getReason, Event::getCount, Integer::sum)))
                      .as("events of %s", name)
                      .containsEntry(Reasons.SCHEDULED, 1)
                      .containsEntry(Reasons.GUEST_READY, 1)
                      .doesNotContainKeys(Reasons.BOOT_FAILED, Reasons.VM_DIED));
    }
    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () -> {
              NodeResources allocated =
                  client.resources(EraNode.class).withName(NODE).get().getStatus().getAllocated();
              assertThat(allocated.getCpu()).isEqualTo(2);
              assertThat(Quantities.bytes(allocated.getMemory())).contains(512 * Quantities.MIB);
            });
    for (String name : names) {
      assertQemuIsInItsPod(
          reservationPod(client, client.resources(EraVM.class).withName(name).get()));
    }
    // Through the client: a kubectl delete --wait here has been seen to wait past the VM's removal.
    for (String name : names) {
      client.resources(EraVM.class).withName(name).delete();
    }
    await()
        .atMost(VM_TIMEOUT)
        .until(
            () ->
                names.stream()
                    .allMatch(n -> client.resources(EraVM.class).withName(n).get() == null));
  }

  /**
   * EraVMs created one at a time each run in their own pod. How long each took from its create to
   * Running is printed for docs/benchmarks.md ("Reservation pods"), not asserted.
   */
  @Test
  void vmsCreatedOneAtATimeEachRunInTheirOwnPod() throws Exception {
    KubernetesClient client = server.client();
    List<Long> millis = new ArrayList<>();
    List<Long> podStarts = new ArrayList<>();
    List<String> agentSaid = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String name = "timed-" + i;
      names.add(name);
      EraVM vm =
          client
              .getKubernetesSerialization()
              .unmarshal(
                  """
                  apiVersion: era.dev/v1alpha1
                  kind: EraVM
                  metadata: {name: %s, namespace: default}
                  spec: {language: python, memory: 256Mi}
                  """
                      .formatted(name),
                  EraVM.class);
      long start = System.nanoTime();
      client.resource(vm).create();
      await()
          .atMost(VM_TIMEOUT)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () ->
                  phase(client.resources(EraVM.class).withName(name).get()) == EraVMPhase.Running);
      millis.add((System.nanoTime() - start) / 1_000_000);
      Pod pod = reservationPod(client, client.resources(EraVM.class).withName(name).get());
      assertQemuIsInItsPod(pod);
      podStarts.add(kubelet.startMillis(pod));
      agentSaid.add(guestReady(client, name));
      Thread.sleep(1000);
    }
    System.out.printf(
        "reservation-pod path, EraVM create to Running (ms, one at a time): %s; median %d;"
            + " podman run of the pod's container (ms): %s; the agent's GuestReady: %s%n",
        millis, millis.stream().sorted().toList().get(millis.size() / 2), podStarts, agentSaid);
    for (String name : names) {
      client.resources(EraVM.class).withName(name).delete();
    }
    await()
        .atMost(VM_TIMEOUT)
        .until(
            () ->
                names.stream()
                    .allMatch(n -> client.resources(EraVM.class).withName(n).get() == null));
  }

  /** The message of the VM's GuestReady event (how the agent started it, and how long it took). */
  private static String guestReady(KubernetesClient client, String vm) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client.v1().events().inNamespace("default").list().getItems().stream()
                    .filter(e -> vm.equals(e.getInvolvedObject().getName()))
                    .filter(e -> Reasons.GUEST_READY.equals(e.getReason()))
                    .map(Event::getMessage)
                    .findFirst()
                    .orElse(null),
            message -> message != null);
  }

  /** The pod the EraVM's annotation names. */
  private static Pod reservationPod(KubernetesClient client, EraVM vm) {
    String name = vm.getMetadata().getAnnotations().get(ReservationPods.ANNOTATION);
    assertThat(name).as("the reservation pod of %s", vm.getMetadata().getName()).isNotNull();
    return client.pods().inNamespace(vm.getMetadata().getNamespace()).withName(name).get();
  }

  /**
   * Exactly one QEMU runs in the pod's container's network namespace, and in all its cgroups.
   *
   * @return its pid
   */
  private static long assertQemuIsInItsPod(Pod pod) throws IOException {
    long podPid = kubelet.pid(pod);
    Path podNetns = netns(podPid);
    List<Long> qemus = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          if (Files.readString(proc.resolve("cmdline")).split("\0", 2)[0].contains("qemu-system")
              && Files.readSymbolicLink(proc.resolve("ns/net")).equals(podNetns)) {
            qemus.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException e) {
          // ended meanwhile
        }
      }
    }
    assertThat(qemus)
        .as("QEMU processes in the network namespace of pod %s", pod.getMetadata().getName())
        .hasSize(1);
    assertThat(podNetns)
        .as("the pod's own network namespace")
        .isNotEqualTo(netns(ProcessHandle.current().pid()));
    assertThat(Files.readAllLines(Path.of("/proc", qemus.get(0).toString(), "cgroup")))
        .as("QEMU's cgroups")
        .isEqualTo(Files.readAllLines(Path.of("/proc", Long.toString(podPid), "cgroup")));
    return qemus.get(0);
  }

  private static Path netns(long pid) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net"));
  }

  /**
   * Sets the memory limit of a process's cgroup, as a pod's resize would: in its v1 memory
   * hierarchy where the host has one, else in its v2 cgroup.
   */
  private static void limitMemory(long pid, long mib) throws IOException {
    List<String[]> lines =
        Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
            .map(line -> line.split(":", 3))
            .toList();
    Path file =
        lines.stream()
            .filter(f -> f[1].equals("memory"))
            .findFirst()
            .map(f -> Path.of("/sys/fs/cgroup/memory", f[2].substring(1), "memory.limit_in_bytes"))
            .orElseGet(
                () ->
                    lines.stream()
                        .filter(f -> f[1].isEmpty())
                        .findFirst()
                        .map(f -> Path.of("/sys/fs/cgroup", f[2].substring(1), "memory.max"))
                        .orElseThrow(() -> new AssertionError("no memory cgroup of " + pid)));
    Files.writeString(file, Long.toString(mib << 20));
  }

  private static long rssMib(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
            .filter(line -> line.startsWith("VmRSS:"))
            .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
            .findFirst()
            .orElseThrow()
        / 1024;
  }

  private static EraRun finished(KubernetesClient client, String name) {
    return await()
        .atMost(VM_TIMEOUT)
        .until(
            () -> client.resources(EraRun.class).withName(name).get(),
            r ->
                r != null
                    && r.getStatus().getPhase() != null
                    && r.getStatus().getPhase().isFinished());
  }

  private static String outcome(EraRun run) {
    return run.getStatus().getReason() + ": " + run.getStatus().getMessage();
  }

  private static String nodeName(KubernetesClient client, String vm) {
    EraVM found = client.resources(EraVM.class).withName(vm).get();
    return found == null || found.getStatus() == null ? null : found.getStatus().getNodeName();
  }

  private static EraVMPhase phase(EraVM vm) {
    return vm == null || vm.getStatus() == null ? null : vm.getStatus().getPhase();
  }

  /** Loads an OCI archive this module built into podman's storage under its reference. */
  private static void load(String archive, String reference) {
    podman.run("load", "--input", archive);
    loaded.add(reference);
    podman.run("image", "exists", reference);
  }

  private static PodmanRun.Node node(String component, PodSpec pod, IntUnaryOperator httpPort)
      throws IOException {
    Component identity =
        Arrays.stream(Component.values())
            .filter(c -> c.serviceAccount().equals(pod.getServiceAccountName()))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no chart identity " + pod.getServiceAccountName()));
    Config config = server.clientConfig(identity);
    Path account = Files.createDirectories(work.resolve(component + "/serviceaccount"));
    Files.writeString(account.resolve("token"), config.getOauthToken());
    Files.write(account.resolve("ca.crt"), Base64.getDecoder().decode(config.getCaCertData()));
    Files.writeString(account.resolve("namespace"), Component.NAMESPACE);
    return new PodmanRun.Node(
        NODE,
        EmbeddedApiServer.HOST,
        EmbeddedApiServer.HOST,
        server.port(),
        account,
        Files.createDirectories(work.resolve(component + "/scratch")),
        httpPort);
  }

  private static void start(String name, PodSpec pod, PodmanRun.Node node) {
    podman.run("rm", "--force", "--ignore", name);
    containers.add(name);
    podman.run(PodmanRun.arguments(name, pod, node));
  }

  /** Waits for the readiness probe to answer 200; on a timeout the message has its last answer. */
  private static void awaitReady(URI url) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    await()
        .atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(
            () -> {
              HttpResponse<String> answer =
                  http.send(
                      HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                      HttpResponse.BodyHandlers.ofString());
              return url + " answered " + answer.statusCode() + " " + answer.body();
            },
            startsWith(url + " answered 200 "));
  }

  private static void kubectl(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(6, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as("kubectl %s: %s", String.join(" ", args), output).isZero();
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> kind) {
    List<T> found = objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    assertThat(found).as("rendered %s", kind.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static String tag(String image) {
    return image.substring(image.lastIndexOf(':') + 1);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
