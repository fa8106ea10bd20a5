package dev.era.nodeagent;

import dev.era.api.EraRunStatus;
import dev.era.api.Patterns;
import dev.era.launcher.host.XdgDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link NodeAgent} runs.
 *
 * @param nodeName the EraNode this agent keeps and the value of the {@code era.dev/node} label it
 *     selects on (the Kubernetes node's name)
 * @param stateDir the agent's own files: full run logs under {@code runs/}
 * @param reserveCpu whole CPUs kept back from the reported capacity for the host
 * @param reserveMemoryMib memory kept back from the reported capacity for the host
 * @param cpuAllocationRatio vCPUs offered per host CPU after the reserve (1 = no overcommit; an
 *     idle guest uses well under 1% of a core)
 * @param heartbeat how often the EraNode status is refreshed
 * @param httpHost the address the agent's HTTP endpoint binds to
 * @param httpPort its port; 0 picks a free one
 * @param advertiseHost the host put in {@code status.agentEndpoint}, where clients reach the
 *     endpoint; null for {@code httpHost} (or 127.0.0.1 when that is a wildcard address)
 * @param runTailBytes bytes of stdout and of stderr kept in an EraRun's status (the tail), at most
 *     {@link EraRunStatus#OUTPUT_TAIL_BYTES}
 * @param runLogMaxBytes bytes of stdout and of stderr kept on the node per run; the guest drops the
 *     rest and the run is flagged truncated
 * @param stopTimeout how long a guest may take to power off before it is killed
 */
public record NodeAgentConfig(
    String nodeName,
    Path stateDir,
    int reserveCpu,
    long reserveMemoryMib,
    double cpuAllocationRatio,
    Duration heartbeat,
    String httpHost,
    int httpPort,
    String advertiseHost,
    int runTailBytes,
    int runLogMaxBytes,
    Duration stopTimeout) {
  // The defaults' one source: constant expressions, so that AgentSettings' @WithDefault can name
  // them; durations in ISO-8601, which both Duration.parse and Quarkus read.
  public static final int DEFAULT_RESERVE_CPU = 0;
  public static final long DEFAULT_RESERVE_MEMORY_MIB = 512;
  public static final double DEFAULT_CPU_ALLOCATION_RATIO = 1;
  public static final String DEFAULT_HEARTBEAT = "PT5S";
  public static final int DEFAULT_RUN_LOG_MAX_BYTES = 8 * 1024 * 1024;
  public static final String DEFAULT_STOP_TIMEOUT = "PT10S";

  public NodeAgentConfig {
    Objects.requireNonNull(nodeName, "nodeName");
    if (nodeName.length() > 253 || !nodeName.matches(Patterns.DNS_SUBDOMAIN)) {
      throw new IllegalArgumentException(
          "nodeName '" + nodeName + "' is not a valid node name (a DNS subdomain)");
    }
    stateDir = Objects.requireNonNull(stateDir, "stateDir").toAbsolutePath().normalize();
    requireAtLeast(reserveCpu, 0, "reserveCpu");
    requireAtLeast(reserveMemoryMib, 0, "reserveMemoryMib");
    if (!(cpuAllocationRatio > 0)) {
      throw new IllegalArgumentException(
          "cpuAllocationRatio must be positive, got " + cpuAllocationRatio);
    }
    requirePositive(heartbeat, "heartbeat");
    requirePositive(stopTimeout, "stopTimeout");
    Objects.requireNonNull(httpHost, "httpHost");
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("httpPort must be 0-65535, got " + httpPort);
    }
    requireAtLeast(runTailBytes, 1, "runTailBytes");
    if (runTailBytes > EraRunStatus.OUTPUT_TAIL_BYTES) {
      throw new IllegalArgumentException(
          "runTailBytes must be at most "
              + EraRunStatus.OUTPUT_TAIL_BYTES
              + " (the API's limit), got "
              + runTailBytes);
    }
    requireAtLeast(runLogMaxBytes, runTailBytes, "runLogMaxBytes");
  }

  /** Loopback endpoint on a free port, state under {@code $XDG_STATE_HOME/era/node-agent}. */
  public static NodeAgentConfig defaults(String nodeName) {
    return new NodeAgentConfig(
        nodeName,
        XdgDirs.current().stateHome().resolve("era").resolve("node-agent"),
        DEFAULT_RESERVE_CPU,
        DEFAULT_RESERVE_MEMORY_MIB,
        DEFAULT_CPU_ALLOCATION_RATIO,
        Duration.parse(DEFAULT_HEARTBEAT),
        "127.0.0.1",
        0,
        null,
        EraRunStatus.OUTPUT_TAIL_BYTES,
        DEFAULT_RUN_LOG_MAX_BYTES,
        Duration.parse(DEFAULT_STOP_TIMEOUT));
  }

  /** The host written into the advertised endpoint URL. */
  public String endpointHost() {
    if (advertiseHost != null && !advertiseHost.isBlank()) {
      return advertiseHost;
    }
    return httpHost.equals("0.0.0.0") || httpHost.equals("::") ? "127.0.0.1" : httpHost;
  }

  public NodeAgentConfig withStateDir(Path dir) {
    return copy(c -> c.stateDir = dir);
  }

  public NodeAgentConfig withCpuAllocationRatio(double ratio) {
    return copy(c -> c.cpuAllocationRatio = ratio);
  }

  public NodeAgentConfig withHeartbeat(Duration every) {
    return copy(c -> c.heartbeat = every);
  }

  public NodeAgentConfig withHttp(String host, int port, String advertise) {
    return copy(
        c -> {
          c.httpHost = host;
          c.httpPort = port;
          c.advertiseHost = advertise;
        });
  }

  public NodeAgentConfig withRunOutput(int tailBytes, int logMaxBytes) {
    return copy(
        c -> {
          c.runTailBytes = tailBytes;
          c.runLogMaxBytes = logMaxBytes;
        });
  }

  public NodeAgentConfig withStopTimeout(Duration timeout) {
    return copy(c -> c.stopTimeout = timeout);
  }

  /** This config with the changes {@code change} makes, checked again by the constructor. */
  private NodeAgentConfig copy(Consumer<Copy> change) {
    Copy c = new Copy();
    change.accept(c);
    return c.build();
  }

  /** This config's components, for the withers to change before {@link #build}. */
  private final class Copy {
    String nodeName = NodeAgentConfig.this.nodeName;
    Path stateDir = NodeAgentConfig.this.stateDir;
    int reserveCpu = NodeAgentConfig.this.reserveCpu;
    long reserveMemoryMib = NodeAgentConfig.this.reserveMemoryMib;
    double cpuAllocationRatio = NodeAgentConfig.this.cpuAllocationRatio;
    Duration heartbeat = NodeAgentConfig.this.heartbeat;
    String httpHost = NodeAgentConfig.this.httpHost;
    int httpPort = NodeAgentConfig.this.httpPort;
    String advertiseHost = NodeAgentConfig.this.advertiseHost;
    int runTailBytes = NodeAgentConfig.this.runTailBytes;
    int runLogMaxBytes = NodeAgentConfig.this.runLogMaxBytes;
    Duration stopTimeout = NodeAgentConfig.this.stopTimeout;

    NodeAgentConfig build() {
      return new NodeAgentConfig(
          nodeName,
          stateDir,
          reserveCpu,
          reserveMemoryMib,
          cpuAllocationRatio,
          heartbeat,
          httpHost,
          httpPort,
          advertiseHost,
          runTailBytes,
          runLogMaxBytes,
          stopTimeout);
    }
  }

  private static void requireAtLeast(long value, long min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
    }
  }
}
