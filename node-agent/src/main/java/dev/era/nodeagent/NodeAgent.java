package dev.era.nodeagent;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.Labels;
import dev.era.kube.EventRecorder;
import dev.era.launcher.Launcher;
import dev.era.launcher.egress.EgressListener;
import dev.era.launcher.host.PrivateDirs;
import dev.era.nodeagent.http.AgentHttpServer;
import dev.era.nodeagent.http.ReviewedLogAccess;
import dev.era.nodeagent.logs.RunLogs;
import dev.era.nodeagent.run.RunExecutions;
import dev.era.nodeagent.run.RunReconciler;
import dev.era.nodeagent.vm.Adoption;
import dev.era.nodeagent.vm.EgressDenials;
import dev.era.nodeagent.vm.VmReconciler;
import dev.era.nodeagent.vm.VmRegistry;
import dev.era.nodeagent.vm.VmRegistry.LocalVm;
import dev.era.nodeagent.vm.WarmGuests;
import dev.era.nodeagent.vm.WarmPoolReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The node agent: makes this node's microVMs match the EraVMs placed on it, keeps the warm guests
 * the EraPools ask of it and hands them to their EraVMs, runs the EraRuns handed to it, keeps its
 * EraNode current, serves full run logs over HTTP (docs/node-agent-endpoint.md) and says when it is
 * ready ({@link AgentReadiness}). Plain Java, so that the Quarkus app and the {@code era} CLI embed
 * it the same way:
 *
 * <pre>{@code
 * try (Launcher launcher = new QemuLauncher(LauncherConfig.defaults());
 *     NodeAgent agent = NodeAgent.start(client, launcher, NodeAgentConfig.defaults("my-node"))) {
 *   ... agent.endpoint() ...
 * }
 * }</pre>
 *
 * <p>The agent owns neither the client nor the launcher; {@link #close()} leaves both open and the
 * VMs (warm guests included) running, exactly as a restart of the agent would, and the next agent
 * over the same launcher state re-adopts them.
 */
public final class NodeAgent implements AutoCloseable {
  /** The component name on the agent's Events. */
  public static final String COMPONENT = "era-node-agent";

  private static final Logger LOG = Logger.getLogger(NodeAgent.class);
  private static final long SCHEDULER_STOP_SECONDS = 5;
  private static final Duration RETRY_MAX_INTERVAL = Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final Launcher launcher;
  private final NodeAgentConfig config;
  private final VmRegistry vms = new VmRegistry();
  private final WarmGuests warmGuests;
  private final RunLogs logs;
  private final EventRecorder events;
  private final EgressDenials egressDenials;
  private final ScheduledExecutorService scheduler;
  private final AgentReadiness readiness;
  private final AtomicBoolean closed = new AtomicBoolean();
  private AgentHttpServer http;
  private NodeReporter reporter;
  private RunExecutions runs;
  private Operator operator;

  private NodeAgent(KubernetesClient client, Launcher launcher, NodeAgentConfig config) {
    this.client = client;
    this.launcher = launcher;
    this.config = config;
    this.logs =
        new RunLogs(
            config.stateDir().resolve("runs"), config.runTailBytes(), config.runLogMaxBytes());
    this.events = new EventRecorder(client, COMPONENT, config.nodeName());
    this.egressDenials = new EgressDenials(id -> vms.byLauncherId(id).map(LocalVm::eraVm), events);
    this.warmGuests = new WarmGuests(launcher, config.nodeName(), client);
    this.readiness = new AgentReadiness(config.heartbeat());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "era-node-reporter");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the agent: re-adopts the VMs an earlier agent left running, removes the ones no EraVM
   * owns, registers the node, then starts watching. Returns once the agent's caches are in sync.
   *
   * @throws RuntimeException when it cannot start (API server unreachable, CRDs missing, port
   *     taken); nothing is left running then
   */
  public static NodeAgent start(
      KubernetesClient client, Launcher launcher, NodeAgentConfig config) {
    NodeAgent agent = new NodeAgent(client, launcher, config);
    try {
      agent.startAll();
      return agent;
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
  }

  private void startAll() {
    try {
      PrivateDirs.create(config.stateDir());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the agent's state directory " + config.stateDir() + ": " + e.getMessage(),
          e);
    }
    http =
        AgentHttpServer.start(
            config.httpHost(),
            config.httpPort(),
            logs,
            this::mayArrive,
            new ReviewedLogAccess(client),
            () -> readiness.problem(Instant.now()));
    launcher.onEgressDenied(egressDenials);
    int adopted = Adoption.run(client, launcher, vms, warmGuests, config.nodeName());
    logs.retainOnly(runUidsOfThisNode());
    reporter =
        new NodeReporter(
            client, launcher, vms, warmGuests, config, endpoint(), scheduler, readiness);
    reporter.start();
    warmGuests.checkRoomWith(reporter::hasRoomFor);
    vms.onChange(warmGuests::refillAll);
    runs = new RunExecutions(client, vms, logs, events, config.nodeName(), config.runLogMaxBytes());
    operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(
                        false) // why: the operator's application.properties
                    .checkingCRDAndValidateLocalModel(false));
    // Equality selector only: the embedded API server ignores set-based ones.
    String selector = Labels.NODE + "=" + config.nodeName();
    // Failures are mostly a busy or unreachable API server: keep trying, at most once a minute.
    var retry =
        GenericRetry.defaultLimitedExponentialRetry()
            .withoutMaxAttempts()
            .setMaxInterval(RETRY_MAX_INTERVAL.toMillis());
    operator.register(
        new VmReconciler(
            client,
            launcher,
            vms,
            warmGuests,
            logs,
            events,
            config.nodeName(),
            config.stopTimeout()),
        c -> c.withLabelSelector(selector).withRetry(retry));
    // Every pool: the operator's shares (status.nodes) say which this node keeps guests for.
    operator.register(new WarmPoolReconciler(warmGuests), c -> c.withRetry(retry));
    operator.register(
        new RunReconciler(runs, config.nodeName()),
        c -> c.withLabelSelector(selector).withRetry(retry));
    operator.start();
    readiness.controllersStarted();
    LOG.infof(
        "node agent for node %s started (%d VMs re-adopted); endpoint %s",
        config.nodeName(), adopted, endpoint());
  }

  /** Base URL of the agent's HTTP endpoint, as published in EraNode status.agentEndpoint. */
  public String endpoint() {
    String host = config.endpointHost();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + http.port();
  }

  /** For tests: this node's warm guests. */
  WarmGuests warmGuests() {
    return warmGuests;
  }

  public NodeAgentConfig config() {
    return config;
  }

  /**
   * Stops watching and reporting. VMs keep running, and so do the commands of runs still running:
   * those runs stay Running, and the next agent follows them to their end (or reports them,
   * AgentRestarted, when their VM or command is gone).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (operator != null) {
      try {
        operator.stop();
      } catch (RuntimeException e) {
        LOG.warnf("stopping the agent's controllers: %s", e.getMessage());
      }
    }
    if (runs != null) {
      runs.close();
    }
    warmGuests.close();
    launcher.onEgressDenied(EgressListener.IGNORE);
    try {
      egressDenials.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(SCHEDULER_STOP_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (reporter != null) {
      reporter.stopped();
    }
    logs.closeAll();
    if (http != null) {
      http.close();
    }
    vms.clear();
    LOG.infof("node agent for node %s stopped; its VMs keep running", config.nodeName());
  }

  /** For log followers: whether the run may still start on this node. */
  private boolean mayArrive(String namespace, String name) {
    try {
      EraRun run = client.resources(EraRun.class).inNamespace(namespace).withName(name).get();
      if (run == null) {
        return false;
      }
      EraRunPhase phase = run.getStatus().getPhase();
      String node = run.getStatus().getNodeName();
      return (phase == EraRunPhase.Pending || phase == EraRunPhase.Running)
          && (node == null || node.equals(config.nodeName()));
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot look up run %s/%s: %s", namespace, name, e.getMessage());
      return false;
    }
  }

  private Set<String> runUidsOfThisNode() {
    return client
        .resources(EraRun.class)
        .inAnyNamespace()
        .withLabel(Labels.NODE, config.nodeName())
        .list()
        .getItems()
        .stream()
        .map(r -> r.getMetadata().getUid())
        .collect(Collectors.toSet());
  }
}
