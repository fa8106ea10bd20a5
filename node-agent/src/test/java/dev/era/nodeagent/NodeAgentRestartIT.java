package dev.era.nodeagent;

import static dev.era.nodeagent.VmsAndRuns.awaitFinished;
import static dev.era.nodeagent.VmsAndRuns.awaitRun;
import static dev.era.nodeagent.VmsAndRuns.awaitVm;
import static dev.era.nodeagent.VmsAndRuns.createRun;
import static dev.era.nodeagent.VmsAndRuns.createVm;
import static dev.era.nodeagent.VmsAndRuns.events;
import static dev.era.nodeagent.VmsAndRuns.getRun;
import static dev.era.nodeagent.VmsAndRuns.getVm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.EraNode;
import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Reasons;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LauncherConfig;
import dev.era.launcher.QemuLauncher;
import dev.era.launcher.RequiresQemu;
import dev.era.launcher.VmSpec;
import dev.era.nodeagent.vm.VmSpecs;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent goes away midway and a new one takes over the same node: VMs keep running and are
 * re-adopted, a run whose command outlived the agent is followed to its end with all its output, a
 * run whose command the guest no longer knows is reported, finished runs are not run again, runs
 * created meanwhile run once, a VM deleted meanwhile is torn down, and a VM no EraVM owns is
 * removed, as is one that booted before the EraVM of its name was created (the VM of an earlier
 * EraVM of that name).
 */
@ExtendWith(RequiresQemu.class)
class NodeAgentRestartIT {
  @TempDir static Path dir;
  static AgentCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = AgentCluster.start(dir, GuestLanguage.PYTHON);
    client = cluster.client();
    createVm(client, "keep", "python", s -> {});
    createVm(client, "doomed", "python", s -> {});
    awaitVm(client, "keep", EraVMPhase.Running);
    awaitVm(client, "doomed", EraVMPhase.Running);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNewAgentTakesOverWithoutLosingOrRepeatingAnything() throws Exception {
    createRun(client, "once", "keep", s -> s.setShell("echo ran >> once.txt"));
    EraRun once = awaitFinished(client, "once");
    assertThat(once.getStatus().getPhase()).isEqualTo(EraRunPhase.Succeeded);
    createRun(client, "long", "keep", s -> s.setShell("echo started; sleep 600"));
    createRun(
        client,
        "survivor",
        "keep",
        // Runs until the test lets it end, which it does once the new agent is back.
        s ->
            s.setShell(
                "echo ran >> survivor.txt; echo begin;"
                    + " while [ ! -e gate ]; do sleep 0.1; done; echo done"));
    awaitStarted("long", "started\n");
    EraRun survivorBefore = awaitStarted("survivor", "begin\n");
    EraVM before = getVm(client, "keep");
    String keepId = VmSpecs.vmId(before);
    List<Long> qemu = cluster.processesOf(keepId);
    assertThat(qemu).hasSize(1);

    cluster.stopAgent();
    // As if the guest had forgotten the command (it ended long ago, or never started): the new
    // agent cannot follow the run.
    EraRun longRun = getRun(client, "long");
    longRun.getStatus().setExecId(longRun.getStatus().getExecId() ^ 0x4000_0000);
    client.resource(longRun).updateStatus();
    String rebornId = VmSpecs.vmId(unsaved("reborn"));
    try (QemuLauncher other =
        new QemuLauncher(LauncherConfig.defaults().withStateDir(cluster.launcherState()))) {
      other.start(VmSpec.of("orphan", GuestLanguage.PYTHON)); // left running: no EraVM owns it
      // As if an earlier EraVM "reborn" had booted it: it starts before the one created below
      // (creation timestamps have whole seconds).
      Instant booted = other.start(VmSpec.of(rebornId, GuestLanguage.PYTHON)).bootedAt();
      await().until(() -> Instant.now().isAfter(booted.plusSeconds(1)));
    }
    assertThat(cluster.processesOf("orphan")).hasSize(1);
    List<Long> oldReborn = cluster.processesOf(rebornId);
    assertThat(oldReborn).hasSize(1);
    createVm(client, "reborn", "python", s -> {});
    EraVM doomed = getVm(client, "doomed");
    client.resource(doomed).delete(); // its finalizer keeps it until an agent has torn it down
    assertThat(getVm(client, "doomed").isMarkedForDeletion()).isTrue();
    createRun(client, "after", "keep", s -> s.setShell("cat once.txt survivor.txt"));
    // The operator hands it to the node; nothing runs it until an agent is back.
    awaitRun(client, "after", r -> AgentCluster.NODE.equals(r.getStatus().getNodeName()));
    assertThat(getRun(client, "after").getStatus().getPhase()).isEqualTo(EraRunPhase.Pending);

    cluster.startAgent();

    EraRun interrupted = awaitFinished(client, "long");
    assertThat(interrupted.getStatus().getPhase()).isEqualTo(EraRunPhase.Failed);
    assertThat(interrupted.getStatus().getReason()).isEqualTo(Reasons.AGENT_RESTARTED);
    assertThat(interrupted.getStatus().getStdout()).isEqualTo("started\n");
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, "long"))
                    .anyMatch(e -> Reasons.AGENT_RESTARTED.equals(e.getReason())));

    EraRun after = awaitFinished(client, "after");
    assertThat(after.getStatus().getPhase()).isEqualTo(EraRunPhase.Succeeded);
    assertThat(after.getStatus().getStdout())
        .as("each run that wrote a file ran exactly once")
        .isEqualTo("ran\nran\n");
    // The new agent has taken over (it reported "long" and ran "after"); the survivor's command is
    // still running: let it end now, so only the new agent can see it end.
    assertThat(getRun(client, "survivor").getStatus().getPhase()).isEqualTo(EraRunPhase.Running);
    assertThat(Files.readString(runLog("survivor"))).isEqualTo("begin\n");
    createRun(client, "release", "keep", s -> s.setShell("touch gate"));

    EraRun survivor = awaitFinished(client, "survivor");
    assertThat(survivor.getStatus().getPhase()).isEqualTo(EraRunPhase.Succeeded);
    assertThat(survivor.getStatus().getReason()).isEqualTo(Reasons.EXITED);
    assertThat(survivor.getStatus().getExitCode()).isZero();
    assertThat(survivor.getStatus().getStdout()).isEqualTo("begin\ndone\n");
    assertThat(Files.readString(runLog("survivor"))).isEqualTo("begin\ndone\n");
    assertThat(survivor.getStatus().getStartedAt())
        .isEqualTo(survivorBefore.getStatus().getStartedAt());
    assertThat(survivor.getStatus().getExecId()).isEqualTo(survivorBefore.getStatus().getExecId());
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, "survivor"))
                    .noneMatch(e -> Reasons.AGENT_RESTARTED.equals(e.getReason())));

    EraRun onceAgain = getRun(client, "once");
    assertThat(onceAgain.getStatus().getStartedAt()).isEqualTo(once.getStatus().getStartedAt());
    assertThat(onceAgain.getStatus().getFinishedAt()).isEqualTo(once.getStatus().getFinishedAt());

    EraVM readopted = getVm(client, "keep");
    assertThat(readopted.getStatus().getPhase()).isEqualTo(EraVMPhase.Running);
    assertThat(readopted.getStatus().getBootedAt()).isEqualTo(before.getStatus().getBootedAt());
    assertThat(cluster.processesOf(keepId)).isEqualTo(qemu);

    await().atMost(VmsAndRuns.BOOT).until(() -> getVm(client, "doomed") == null);
    assertThat(cluster.processesOf(VmSpecs.vmId(doomed))).isEmpty();
    assertThat(cluster.launcherState().resolve("vms").resolve(VmSpecs.vmId(doomed))).doesNotExist();
    assertThat(cluster.processesOf("orphan")).isEmpty();
    assertThat(cluster.launcherState().resolve("vms/orphan")).doesNotExist();
    awaitVm(client, "reborn", EraVMPhase.Running);
    assertThat(cluster.processesOf(rebornId)).hasSize(1).doesNotContainAnyElementsOf(oldReborn);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cluster
                    .agent()
                    .endpoint()
                    .equals(
                        client
                            .resources(EraNode.class)
                            .withName(AgentCluster.NODE)
                            .get()
                            .getStatus()
                            .getAgentEndpoint()));
  }

  /**
   * Waits until the run's command has written {@code first}: it runs in the guest, not only
   * claimed.
   */
  private static EraRun awaitStarted(String run, String first) {
    await()
        .atMost(VmsAndRuns.RUN)
        .until(() -> Files.exists(runLog(run)) && Files.readString(runLog(run)).equals(first));
    EraRun running = getRun(client, run);
    assertThat(running.getStatus().getPhase()).isEqualTo(EraRunPhase.Running);
    assertThat(running.getStatus().getExecId()).isNotNull();
    return running;
  }

  private static Path runLog(String run) {
    return cluster
        .agentState()
        .resolve("runs")
        .resolve(VmsAndRuns.NAMESPACE)
        .resolve(run)
        .resolve("stdout");
  }

  private static EraVM unsaved(String name) {
    EraVM vm = new EraVM();
    vm.getMetadata().setNamespace(VmsAndRuns.NAMESPACE);
    vm.getMetadata().setName(name);
    return vm;
  }
}
