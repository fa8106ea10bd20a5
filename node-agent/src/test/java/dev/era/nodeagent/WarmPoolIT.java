package dev.era.nodeagent;

import static dev.era.nodeagent.VmsAndRuns.NAMESPACE;
import static dev.era.nodeagent.VmsAndRuns.awaitFinished;
import static dev.era.nodeagent.VmsAndRuns.awaitVm;
import static dev.era.nodeagent.VmsAndRuns.createRun;
import static dev.era.nodeagent.VmsAndRuns.createVm;
import static dev.era.nodeagent.VmsAndRuns.events;
import static dev.era.nodeagent.VmsAndRuns.getVm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.launcher.ExecRequest;
import dev.era.launcher.ExecResult;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.RequiresQemu;
import dev.era.launcher.host.CpuPriority;
import dev.era.launcher.host.ThreadNice;
import dev.era.nodeagent.vm.VmSpecs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One warm pool through its life, in order, with real guests: a VM naming the pool runs on a guest
 * booted before it existed and the pool refills; after the agent restarts, ready guests stay ready
 * and claimed ones stay their VMs'; a storm of 50 claims against 20 ready guests binds no guest
 * twice and leaves every VM its own identity; deleting the pool stops its ready guests while the
 * VMs bound to its guests keep running.
 */
@ExtendWith(RequiresQemu.class)
@TestMethodOrder(OrderAnnotation.class)
class WarmPoolIT {
  static final String POOL = "warm";

  /** Many guests boot at once under TCG on a loaded 2-core machine. */
  static final Duration STORM = Duration.ofMinutes(10);

  /** The storm: this many VMs created at once against a pool of {@link #READY}. */
  static final int STORM_VMS = 50;

  static final int READY = 20;

  static final String SHOW_IDENTITY =
      "import os, socket; print(socket.gethostname()); print(os.environ['ERA_VM_ID']);"
          + " print(open('/proc/sys/kernel/random/boot_id').read().strip());"
          + " print(os.urandom(16).hex())";

  @TempDir static Path dir;
  static AgentCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    // Room for the pool's guests, its refills and the claim storm's VMs.
    cluster =
        AgentCluster.start(
            dir, AgentCluster.testConfig().withCpuAllocationRatio(64), GuestLanguage.PYTHON);
    client = cluster.client();
    EraPool pool = new EraPool();
    pool.getMetadata().setName(POOL);
    pool.getMetadata().setNamespace(NAMESPACE);
    pool.getSpec().setReplicas(2);
    client.resource(pool).create();
    awaitReadyGuests(2, VmsAndRuns.BOOT);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void aPoolVmRunsOnAGuestBootedBeforeItAndThePoolRefills() {
    Map<String, Long> ready = readyGuests();
    assertThat(ready).hasSize(2);

    Instant beforeCreation = Instant.now();
    createVm(client, "claim-1", "python", s -> s.setPool(POOL));
    EraVM vm = awaitVm(client, "claim-1", EraVMPhase.Running);

    String guest = vm.getStatus().getWarmGuest();
    assertThat(ready).containsKey(guest);
    // The same QEMU process that was ready before the EraVM existed, booted before it.
    assertThat(cluster.processesOf(guest)).containsExactly(ready.get(guest));
    assertThat(Times.parse(vm.getStatus().getBootedAt()).orElseThrow()).isBefore(beforeCreation);
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, "claim-1"))
                    .anyMatch(e -> Reasons.WARM_GUEST.equals(e.getReason())));
    // A ready guest waits at the lowest CPU priority, so that its warm-up slows no VM in use; the
    // claimed one is back at the normal one. Without CAP_SYS_NICE the agent lowers nothing.
    int waiting = CpuPriority.canRestore() ? CpuPriority.BACKGROUND : CpuPriority.NORMAL;
    assertThat(ThreadNice.of(ready.get(guest))).containsExactly(CpuPriority.NORMAL);
    ready.forEach(
        (id, pid) -> {
          if (!id.equals(guest)) {
            assertThat(ThreadNice.of(pid)).as("ready guest %s", id).containsExactly(waiting);
          }
        });
    createRun(client, "on-warm", "claim-1", s -> s.setShell("echo warm"));
    assertThat(awaitFinished(client, "on-warm").getStatus().getStdout()).isEqualTo("warm\n");

    // Refilled: two ready guests again, none of them the claimed one, and the status says so.
    await()
        .atMost(VmsAndRuns.BOOT)
        .until(
            () ->
                settled()
                    && readyGuests().size() == 2
                    && !readyGuests().containsKey(guest)
                    && Integer.valueOf(2).equals(pool().getStatus().getReady())
                    && Integer.valueOf(1).equals(pool().getStatus().getClaimed()));
  }

  @Test
  @Order(2)
  void aVmContradictingThePoolsTemplateIsInvalid() {
    createVm(
        client,
        "too-big",
        "python",
        s -> {
          s.setPool(POOL);
          s.setCpu(2);
        });
    EraVM vm = awaitVm(client, "too-big", EraVMPhase.Failed);
    assertThat(vm.getStatus().getReason()).isEqualTo(Reasons.INVALID);
    assertThat(vm.getStatus().getMessage()).contains("contradict the template of EraPool warm");
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, "too-big"))
                    .anyMatch(e -> Reasons.INVALID.equals(e.getReason())));
    client.resource(vm).delete();
  }

  @Test
  @Order(3)
  void afterAnAgentRestartReadyGuestsStayReadyAndClaimedOnesStayTheirVms() {
    Map<String, Long> ready = readyGuests();
    String claimed = getVm(client, "claim-1").getStatus().getWarmGuest();
    long claimedPid = cluster.processesOf(claimed).get(0);

    cluster.stopAgent();
    cluster.startAgent();

    // The same guests (ids and QEMU processes): none was stopped and booted again.
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(() -> assertThat(readyGuests()).isEqualTo(ready));
    createVm(client, "claim-2", "python", s -> s.setPool(POOL));
    String guest = awaitVm(client, "claim-2", EraVMPhase.Running).getStatus().getWarmGuest();
    assertThat(ready).containsKey(guest);
    assertThat(guest).isNotEqualTo(claimed);
    assertThat(getVm(client, "claim-1").getStatus().getPhase()).isEqualTo(EraVMPhase.Running);
    assertThat(cluster.processesOf(claimed)).containsExactly(claimedPid);
  }

  @Test
  @Order(4)
  void aStormOfClaimsBindsNoGuestTwiceAndEachVmHasItsOwnIdentity() throws Exception {
    setReplicas(READY);
    awaitReadyGuests(READY, STORM);
    List<String> names = IntStream.range(0, STORM_VMS).mapToObj(i -> "storm-" + i).toList();

    ExecutorService threads = Executors.newFixedThreadPool(names.size());
    List<Future<EraVM>> creations =
        names.stream()
            .map(n -> threads.submit(() -> createVm(client, n, "python", s -> s.setPool(POOL))))
            .toList();
    for (Future<EraVM> creation : creations) {
      creation.get();
    }
    threads.shutdown();
    // 30 restores at once leave the API server's one event loop little of two cores: a look that
    // times out meanwhile is only looked at again.
    await()
        .atMost(STORM)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreException(KubernetesClientException.class)
        .until(
            () ->
                names.stream()
                    .allMatch(n -> getVm(client, n).getStatus().getPhase() == EraVMPhase.Running));

    List<EraVM> vms = names.stream().map(n -> getVm(client, n)).toList();
    List<String> warm =
        vms.stream().map(vm -> vm.getStatus().getWarmGuest()).filter(g -> g != null).toList();
    // The ready guests went to as many of them; none went to two.
    assertThat(warm).hasSizeGreaterThanOrEqualTo(READY).doesNotHaveDuplicates();
    assertThat(warm).doesNotContain(getVm(client, "claim-1").getStatus().getWarmGuest());
    assertThat(warm).doesNotContain(getVm(client, "claim-2").getStatus().getWarmGuest());
    // Every VM has a QEMU process of its own.
    List<Long> pids =
        vms.stream()
            .map(vm -> cluster.processesOf(VmSpecs.launcherId(vm)))
            .peek(p -> assertThat(p).hasSize(1))
            .map(p -> p.get(0))
            .toList();
    assertThat(pids).doesNotHaveDuplicates();

    // Each guest, handed over or booted, is its VM's: its name, and randomness no other shares.
    List<List<String>> identities = new ArrayList<>();
    ExecutorService execs = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<String>>> reads =
          vms.stream().map(vm -> execs.submit(() -> identityOf(vm))).toList();
      for (Future<List<String>> read : reads) {
        identities.add(read.get());
      }
    } finally {
      execs.shutdownNow();
    }
    for (int i = 0; i < vms.size(); i++) {
      String id = VmSpecs.of(vms.get(i)).id();
      assertThat(identities.get(i).subList(0, 2)).as("hostname and ERA_VM_ID").containsOnly(id);
    }
    assertThat(identities.stream().map(l -> l.get(2))).as("boot_id").doesNotHaveDuplicates();
    assertThat(identities.stream().map(l -> l.get(3))).as("os.urandom").doesNotHaveDuplicates();
  }

  /** The guest's hostname, ERA_VM_ID, boot_id and 16 random bytes, read by a command in it. */
  private static List<String> identityOf(EraVM vm) {
    ExecResult result =
        cluster
            .launcher()
            .find(VmSpecs.launcherId(vm))
            .orElseThrow()
            .exec(ExecRequest.argv("python3", "-c", SHOW_IDENTITY));
    assertThat(result.exitCode()).as(result.stderrText()).isZero();
    return List.of(result.stdoutText().strip().split("\n"));
  }

  @Test
  @Order(5)
  void deletingThePoolStopsItsReadyGuestsAndClaimedVmsLiveOn() {
    awaitReadyGuests(READY, STORM);
    Set<String> ready = readyGuests().keySet();

    client.resource(pool()).delete();

    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> ready.stream().allMatch(g -> cluster.processesOf(g).isEmpty()));
    // Also a guest still booting when the pool went away.
    await().atMost(VmsAndRuns.BOOT).until(() -> readyGuests().isEmpty());
    EraVM claimed = getVm(client, "claim-1");
    assertThat(claimed.getStatus().getPhase()).isEqualTo(EraVMPhase.Running);
    assertThat(cluster.processesOf(claimed.getStatus().getWarmGuest())).hasSize(1);
    createRun(client, "after-pool", "claim-1", s -> s.setShell("echo still"));
    assertThat(awaitFinished(client, "after-pool").getStatus().getStdout()).isEqualTo("still\n");
  }

  private static EraPool pool() {
    return client.resources(EraPool.class).inNamespace(NAMESPACE).withName(POOL).get();
  }

  private static void setReplicas(int replicas) {
    client
        .resources(EraPool.class)
        .inNamespace(NAMESPACE)
        .withName(POOL)
        .edit(
            p -> {
              p.getSpec().setReplicas(replicas);
              return p;
            });
  }

  /** Waits until the pool's status says so, as the node agent reports its ready guests. */
  private static void awaitReadyGuests(int ready, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                settled()
                    && pool().getStatus().getReady() != null
                    && pool().getStatus().getReady() == ready);
  }

  /**
   * No guest is booting: its QEMU runs before it is ready, and the pool's status may still count
   * the guest a claim took.
   */
  private static boolean settled() {
    return cluster.agent().warmGuests().booting() == 0;
  }

  /**
   * The warm guests running on the node that no EraVM names, with their QEMU pid: the launcher's
   * VMs named warm-* less those bound to a VM.
   */
  private static Map<String, Long> readyGuests() {
    Set<String> bound =
        client.resources(EraVM.class).inNamespace(NAMESPACE).list().getItems().stream()
            .map(vm -> vm.getStatus().getWarmGuest())
            .filter(g -> g != null)
            .collect(Collectors.toSet());
    try (Stream<Path> dirs = Files.list(cluster.launcherState().resolve("vms"))) {
      return dirs.map(d -> d.getFileName().toString())
          .filter(id -> id.startsWith("warm-") && !bound.contains(id))
          .filter(id -> cluster.processesOf(id).size() == 1)
          .collect(Collectors.toMap(Function.identity(), id -> cluster.processesOf(id).get(0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
