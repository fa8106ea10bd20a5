package dev.era.nodeagent;

import dev.era.apiserver.Component;
import dev.era.apiserver.EmbeddedApiServer;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LauncherConfig;
import dev.era.launcher.QemuLauncher;
import dev.era.launcher.RequiresQemu;
import dev.era.launcher.host.ProcFs;
import dev.era.launcher.image.GuestImages;
import dev.era.operator.EraControllers;
import dev.era.operator.EraOperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What an end-to-end test runs: an embedded API server with the ERA CRDs, the real operator on a
 * plain JOSDK Operator, a real launcher booting real guests, and the node agent, each with its own
 * client as its chart service account, so that a permission the chart lacks fails the test.
 */
public final class AgentCluster implements AutoCloseable {
  /**
   * The most vCPUs the node's launcher gives a guest, whatever the host's cores, so tests can
   * exceed it.
   */
  public static final int MAX_GUEST_VCPUS = 2;

  public static final String NODE = "node-a";

  /** vCPUs offered per host CPU: room for a few VMs on a small test machine. */
  public static final int CPU_ALLOCATION_RATIO = 8;

  private final EmbeddedApiServer api;
  private final KubernetesClient operatorClient;
  private final KubernetesClient agentClient;
  private final Operator operator;
  private final Path launcherState;
  private final Path agentState;
  private final NodeAgentConfig agentConfig;
  private final UnaryOperator<LauncherConfig> launcherSetup;
  private QemuLauncher launcher;
  private NodeAgent agent;

  private AgentCluster(
      Path dir, NodeAgentConfig config, UnaryOperator<LauncherConfig> launcherSetup) {
    this.launcherSetup = launcherSetup;
    this.api = new EmbeddedApiServer();
    api.start(0);
    this.launcherState = dir.resolve("launcher");
    this.agentState = dir.resolve("agent");
    this.agentConfig = config.withStateDir(agentState);
    this.operatorClient = api.newClient(Component.OPERATOR);
    this.agentClient = api.newClient(Component.NODE_AGENT);
    this.operator =
        new Operator(
            o ->
                o.withKubernetesClient(operatorClient)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false));
    EraControllers.register(
        operator,
        operatorClient,
        EraOperatorConfig.defaults().withPlacement(EraOperatorConfig.PlacementMode.ledger));
    operator.start();
  }

  /**
   * Builds the images before any clock starts (minutes, once per host); see {@link RequiresQemu}.
   */
  public static AgentCluster start(Path dir, GuestLanguage... images) {
    return start(dir, testConfig(), images);
  }

  public static AgentCluster start(Path dir, NodeAgentConfig config, GuestLanguage... images) {
    return start(dir, config, l -> l, images);
  }

  /**
   * @param launcherSetup changes the node's launcher configuration from the tests' default
   */
  public static AgentCluster start(
      Path dir,
      NodeAgentConfig config,
      UnaryOperator<LauncherConfig> launcherSetup,
      GuestLanguage... images) {
    GuestImages cache = new GuestImages(GuestImages.defaultCacheDir());
    for (GuestLanguage language : images) {
      cache.ensure(language, step -> System.out.println("[" + language.id() + " image] " + step));
    }
    AgentCluster cluster = new AgentCluster(dir, config, launcherSetup);
    cluster.startAgent();
    return cluster;
  }

  /** Room for a few VMs on a small test machine (idle guests barely use CPU). */
  public static NodeAgentConfig testConfig() {
    return NodeAgentConfig.defaults(NODE)
        .withCpuAllocationRatio(CPU_ALLOCATION_RATIO)
        .withHeartbeat(Duration.ofSeconds(2));
  }

  /** The user's client. */
  public KubernetesClient client() {
    return api.client();
  }

  public NodeAgent agent() {
    return agent;
  }

  public QemuLauncher launcher() {
    return launcher;
  }

  public Path launcherState() {
    return launcherState;
  }

  public Path agentState() {
    return agentState;
  }

  public void startAgent() {
    launcher =
        new QemuLauncher(
            launcherSetup.apply(
                LauncherConfig.defaults()
                    .withStateDir(launcherState)
                    .withMaxVcpus(MAX_GUEST_VCPUS)));
    agent = NodeAgent.start(agentClient, launcher, agentConfig);
  }

  /** Stops the agent the way a crash would look to the guests: VMs keep running. */
  public void stopAgent() {
    agent.close();
    launcher.close();
  }

  /** QEMU processes of a VM (by the launcher's id), found by their state directory. */
  public List<Long> processesOf(String vmId) {
    return ProcFs.findByMarker(launcherState.resolve("vms").resolve(vmId).toAbsolutePath() + "/");
  }

  /** Stops the agent, then every VM it left, so nothing outlives the test. */
  @Override
  public void close() {
    try {
      stopAgent();
    } finally {
      try (QemuLauncher cleanup =
          new QemuLauncher(LauncherConfig.defaults().withStateDir(launcherState))) {
        cleanup.list().forEach(vm -> vm.kill());
      } finally {
        operator.stop();
        operatorClient.close();
        agentClient.close();
        api.close();
      }
    }
  }
}
