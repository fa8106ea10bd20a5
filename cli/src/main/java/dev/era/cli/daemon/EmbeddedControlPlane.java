package dev.era.cli.daemon;

import dev.era.apiserver.Component;
import dev.era.apiserver.EmbeddedApiServer;
import dev.era.cli.Logging;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.Launcher;
import dev.era.launcher.LauncherConfig;
import dev.era.launcher.QemuLauncher;
import dev.era.nodeagent.NodeAgent;
import dev.era.nodeagent.NodeAgentConfig;
import dev.era.operator.EraControllers;
import dev.era.operator.EraOperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.regex.Pattern;

/**
 * The embedded control plane, inside the daemon: the embedded API server with the CRDs and the
 * objects saved last time, the operator, the launcher and one node agent, all in this JVM. The
 * operator and the node agent each have their own client, as their chart service account, so that
 * they get exactly the RBAC rules the chart grants them and a missing one fails here too.
 *
 * <p>On {@link #close()} the node agent lets go of its VMs without stopping them, as on an agent
 * restart; the next start re-adopts the ones still running (see docs/cli.md).
 */
public final class EmbeddedControlPlane implements AutoCloseable {
  /** Saves between shutdowns, so that a crash or SIGKILL loses little. */
  private static final Duration SAVE_INTERVAL = Duration.ofSeconds(30);

  /**
   * Sandboxes on a developer machine sit idle most of the time, so the one local node offers more
   * vCPUs than it has cores; with the cluster default of 1, a 2-core laptop would hold two VMs.
   */
  private static final double LOCAL_CPU_ALLOCATION_RATIO = 8;

  private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /**
   * @param port the API server's port on 127.0.0.1; 0 picks a free one
   * @param images guest images to build (or find cached) before reporting ready
   */
  public record Settings(int port, List<GuestLanguage> images) {}

  private final EraPaths paths;
  private final String node = nodeName();
  private EmbeddedApiServer server;

  /**
   * Set once the API server serves: only then is its store worth saving (a failed restore is not).
   */
  private boolean serving;

  private KubernetesClient operatorClient;
  private KubernetesClient agentClient;
  private Operator operator;
  private Launcher launcher;
  private NodeAgent agent;
  private ScheduledExecutorService saver;

  private EmbeddedControlPlane(EraPaths paths) {
    this.paths = paths;
  }

  /** Starts every part, reporting each step; on failure stops what had started and throws. */
  public static EmbeddedControlPlane start(
      EraPaths paths, Settings settings, Consumer<String> progress) throws Exception {
    EmbeddedControlPlane daemon = new EmbeddedControlPlane(paths);
    try {
      daemon.startParts(settings, progress);
      return daemon;
    } catch (Exception | Error e) {
      daemon.close();
      throw e;
    }
  }

  public String apiUrl() {
    return server.url();
  }

  public String node() {
    return node;
  }

  private void startParts(Settings settings, Consumer<String> progress) throws Exception {
    progress.accept("starting the API server");
    server = new EmbeddedApiServer(paths.credentialsDir());
    Path saved = paths.objectsFile();
    if (Files.exists(saved)) {
      progress.accept("restoring the objects saved by the last `era down`");
      try {
        server.restore(saved);
      } catch (IOException | RuntimeException e) {
        throw new IOException(
            "cannot restore "
                + saved
                + " ("
                + e.getMessage()
                + "); move it away to start with no objects",
            e);
      }
    }
    server.start(settings.port());
    serving = true;

    launcher = launcher(paths);
    for (GuestLanguage language : settings.images()) {
      String image = language.id() + " image";
      progress.accept(image + ": looking in the cache");
      launcher.prepareImage(language, step -> progress.accept(image + ": " + step));
    }

    progress.accept("starting the node agent (node " + node + ")");
    agentClient = server.newClient(Component.NODE_AGENT);
    agent =
        NodeAgent.start(
            agentClient,
            launcher,
            NodeAgentConfig.defaults(node)
                .withStateDir(paths.stateDir().resolve("node-agent"))
                .withCpuAllocationRatio(LOCAL_CPU_ALLOCATION_RATIO));

    // The operator starts after the agent has reported its node Ready again: the restored EraNode
    // still carries the heartbeat from before era down, and an operator that saw it first would
    // take the node for lost after a long pause and fail or move its VMs.
    progress.accept("starting the operator");
    operatorClient = server.newClient(Component.OPERATOR);
    operator =
        new Operator(
            o ->
                o.withKubernetesClient(operatorClient)
                    .withUseSSAToPatchPrimaryResource(
                        false) // why: the operator's application.properties
                    .withCloseClientOnStop(
                        false)); // closed in close(), also when the operator never started
    // No kube-scheduler and no kubelet here to place and run reservation pods: the operator places
    // VMs itself.
    EraControllers.register(
        operator,
        operatorClient,
        EraOperatorConfig.defaults().withPlacement(EraOperatorConfig.PlacementMode.ledger));
    operator.start();

    server.writeKubeconfig(paths.kubeconfig());
    saver =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "era-state-saver");
              thread.setDaemon(true);
              return thread;
            });
    saver.scheduleWithFixedDelay(
        this::save, SAVE_INTERVAL.toSeconds(), SAVE_INTERVAL.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Stops in the reverse order of start: node agent (VMs keep running), operator, their clients,
   * then saves every object and stops the API server. Each step runs even when an earlier one
   * fails.
   */
  @Override
  public void close() {
    if (saver != null) {
      saver.shutdownNow();
    }
    quietly(
        "stop the node agent",
        () -> {
          if (agent != null) {
            agent.close();
          }
        });
    quietly(
        "stop the operator",
        () -> {
          if (operator != null) {
            operator.stop();
          }
        });
    quietly(
        "close the clients of the node agent and the operator",
        () -> {
          if (agentClient != null) {
            agentClient.close();
          }
          if (operatorClient != null) {
            operatorClient.close();
          }
        });
    if (server != null) {
      if (serving) {
        save();
      }
      quietly("stop the API server", server::stop);
    }
    quietly(
        "close the launcher",
        () -> {
          if (launcher != null) {
            launcher.close();
          }
        });
  }

  private void save() {
    quietly("save the objects to " + paths.objectsFile(), () -> server.save(paths.objectsFile()));
  }

  /** The launcher of the embedded node: its VMs live under the state directory. */
  public static QemuLauncher launcher(EraPaths paths) {
    return new QemuLauncher(LauncherConfig.defaults().withStateDir(paths.stateDir()));
  }

  /** This host's name when it is a valid node name, else {@code local}. */
  static String nodeName() {
    try {
      String host =
          Files.readString(Path.of("/proc/sys/kernel/hostname")).strip().toLowerCase(Locale.ROOT);
      return NODE_NAME.matcher(host).matches() ? host : "local";
    } catch (IOException e) {
      return "local";
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(String what, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      Logging.direct(
          Level.WARNING, EmbeddedControlPlane.class, "cannot " + what + ": " + e.getMessage(), e);
    }
  }
}
