package dev.era.nodeagent;

import com.sun.management.OperatingSystemMXBean;
import dev.era.api.Accelerator;
import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.api.EraNodeStatus;
import dev.era.api.NodeResources;
import dev.era.api.Quantities;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.kube.ResourceWriter;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LaunchException;
import dev.era.launcher.Launcher;
import dev.era.launcher.VmSpec;
import dev.era.nodeagent.vm.VmRegistry;
import dev.era.nodeagent.vm.WarmGuests;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps this node's EraNode true: capacity (the host less the reserve), what the running VMs and
 * warm guests use, the ready warm guests by pool, the accelerator, the guest images present, the
 * agent's endpoint, a heartbeat, and Ready; labels the Node with the accelerator; and tells {@link
 * AgentReadiness} after each report.
 */
final class NodeReporter {
  private static final Logger LOG = Logger.getLogger(NodeReporter.class);

  /**
   * How long a change waits for others before it is reported: a warm guest's hand-over changes the
   * ready guests, then the VMs; one report covers both, and it does not compete with the EraVM's
   * own status write on its way to Running.
   */
  static final Duration CHANGES_GATHERED = Duration.ofMillis(100);

  private final KubernetesClient client;
  private final ResourceWriter<EraNode> writer;
  private final Launcher launcher;
  private final VmRegistry vms;
  private final WarmGuests warmGuests;
  private final NodeAgentConfig config;
  private final String endpoint;
  private final ScheduledExecutorService scheduler;
  private final AgentReadiness readiness;
  private final GatheredRuns changes;
  private final NodeAcceleratorLabel acceleratorLabel;

  NodeReporter(
      KubernetesClient client,
      Launcher launcher,
      VmRegistry vms,
      WarmGuests warmGuests,
      NodeAgentConfig config,
      String endpoint,
      ScheduledExecutorService scheduler,
      AgentReadiness readiness) {
    this.client = client;
    this.writer = ResourceWriter.direct(client);
    this.launcher = launcher;
    this.vms = vms;
    this.warmGuests = warmGuests;
    this.config = config;
    this.endpoint = endpoint;
    this.scheduler = scheduler;
    this.readiness = readiness;
    this.changes = new GatheredRuns(scheduler, CHANGES_GATHERED, this::reportQuietly);
    this.acceleratorLabel = new NodeAcceleratorLabel(client, config.nodeName());
  }

  /**
   * Creates the EraNode if needed, reports now, then every heartbeat and whenever VMs or warm
   * guests come or go.
   */
  void start() {
    report();
    long every = config.heartbeat().toMillis();
    scheduler.scheduleWithFixedDelay(this::reportQuietly, every, every, TimeUnit.MILLISECONDS);
    vms.onChange(changes::request);
    warmGuests.onChange(changes::request);
  }

  /** Whether the node has room for one more VM of this spec next to its VMs and warm guests. */
  boolean hasRoomFor(VmSpec spec) {
    NodeResources capacity = capacity();
    NodeResources allocated = allocated();
    long capacityMib = Quantities.bytes(capacity.getMemory()).orElse(0L) / Quantities.MIB;
    long allocatedMib = Quantities.bytes(allocated.getMemory()).orElse(0L) / Quantities.MIB;
    return allocated.getCpu() + spec.vcpus() <= capacity.getCpu()
        && allocatedMib + spec.memoryMib() <= capacityMib;
  }

  /** The agent goes away: the node takes no new VMs until an agent reports again. */
  void stopped() {
    try {
      write(false, Reasons.AGENT_STOPPED, "the node agent was shut down");
    } catch (KubernetesClientException e) {
      LOG.warnf("cannot mark EraNode %s NotReady: %s", config.nodeName(), e.getMessage());
    }
  }

  private void reportQuietly() {
    try {
      report();
    } catch (RuntimeException e) {
      LOG.warnf("cannot report EraNode %s: %s", config.nodeName(), e.getMessage());
    }
  }

  private void report() {
    write(true, Reasons.AGENT_READY, "the node agent runs and reports");
  }

  private void write(boolean ready, String reason, String message) {
    EraNode node = client.resources(EraNode.class).withName(config.nodeName()).get();
    if (node == null) {
      node = create();
    }
    Instant now = Instant.now();
    Set<GuestLanguage> images = launcher.imagesPresent();
    Accelerator accelerator = null;
    Optional<String> launcherProblem = Optional.empty();
    try {
      accelerator = ApiLauncherMapping.accelerator(launcher.accelerator());
    } catch (LaunchException e) {
      launcherProblem = Optional.of(e.getMessage());
    }
    Accelerator probed = accelerator;
    Optional<String> problem = launcherProblem;
    writer.write(
        node,
        n -> {
          EraNodeStatus s = n.getStatus();
          s.setCapacity(capacity());
          s.setAllocated(allocated());
          s.setImages(
              images.stream().map(l -> ApiLauncherMapping.language(l).name()).sorted().toList());
          s.setPools(warmGuests.readyCounts());
          s.setAgentEndpoint(endpoint);
          s.setHeartbeat(Times.format(now));
          s.setObservedGeneration(n.getMetadata().getGeneration());
          if (problem.isEmpty()) {
            s.setAccelerator(probed);
            s.setCondition(ConditionTypes.READY, ready, reason, message, now);
          } else {
            s.setCondition(
                ConditionTypes.READY, false, Reasons.LAUNCHER_UNAVAILABLE, problem.get(), now);
          }
        });
    if (probed != null) {
      acceleratorLabel.apply(probed);
    }
    if (ready) {
      readiness.reported(now, problem, images);
    }
  }

  /** The EraNode, created on first start and again if someone deleted it. */
  private EraNode create() {
    EraNode node = new EraNode();
    node.getMetadata().setName(config.nodeName());
    try {
      return client.resource(node).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      return client.resources(EraNode.class).withName(config.nodeName()).get();
    }
  }

  private NodeResources capacity() {
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    int cpus = Math.max(0, Runtime.getRuntime().availableProcessors() - config.reserveCpu());
    long memoryMib =
        Math.max(0, os.getTotalMemorySize() / Quantities.MIB - config.reserveMemoryMib());
    return new NodeResources(
        (int) Math.floor(cpus * config.cpuAllocationRatio()),
        Quantities.format(memoryMib * Quantities.MIB));
  }

  private NodeResources allocated() {
    int cpu = 0;
    long memoryMib = 0;
    List<VmSpec> specs = new ArrayList<>(warmGuests.held());
    vms.all().forEach(vm -> specs.add(vm.handle().spec()));
    for (VmSpec spec : specs) {
      cpu += spec.vcpus();
      memoryMib += spec.memoryMib();
    }
    return new NodeResources(cpu, Quantities.format(memoryMib * Quantities.MIB));
  }
}
