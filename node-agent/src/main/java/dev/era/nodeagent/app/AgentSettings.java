package dev.era.nodeagent.app;

import dev.era.api.EraRunStatus;
import dev.era.launcher.LauncherConfig;
import dev.era.launcher.host.QemuUser;
import dev.era.nodeagent.NodeAgentConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code era.agent.*} settings (application.properties, or environment variables such as
 * ERA_AGENT_HTTP_PORT); see {@link NodeAgentConfig} and {@link LauncherConfig} for what each means.
 * Defaults that those records share come from their {@code DEFAULT_*} constants; the rest (paths
 * and the endpoint, which differ from a local agent's) are this interface's own.
 * AgentSettingsChartTest checks the chart's node-agent values against these defaults.
 */
@ConfigMapping(prefix = "era.agent")
public interface AgentSettings {
  /** The Kubernetes node's name; the DaemonSet sets ERA_NODE_NAME from the downward API. */
  String nodeName();

  @WithDefault("/var/lib/era/node-agent")
  Path stateDir();

  @WithDefault("" + NodeAgentConfig.DEFAULT_RESERVE_CPU)
  int reserveCpu();

  @WithDefault("" + NodeAgentConfig.DEFAULT_RESERVE_MEMORY_MIB)
  long reserveMemoryMib();

  @WithDefault("" + NodeAgentConfig.DEFAULT_CPU_ALLOCATION_RATIO)
  double cpuAllocationRatio();

  @WithDefault(NodeAgentConfig.DEFAULT_HEARTBEAT)
  Duration heartbeat();

  @WithDefault("0.0.0.0")
  String httpHost();

  @WithDefault("8095")
  int httpPort();

  /** Where clients reach the endpoint: the pod IP (ERA_POD_IP) in a cluster. */
  Optional<String> advertiseHost();

  @WithDefault("" + EraRunStatus.OUTPUT_TAIL_BYTES)
  int runTailBytes();

  @WithDefault("" + NodeAgentConfig.DEFAULT_RUN_LOG_MAX_BYTES)
  int runLogMaxBytes();

  @WithDefault(NodeAgentConfig.DEFAULT_STOP_TIMEOUT)
  Duration stopTimeout();

  /** The launcher's state: VM runtime files and persistent disks. */
  @WithDefault("/var/lib/era/launcher")
  Path launcherStateDir();

  /** Guest images (built on the node on first use) and the accelerator probe's outcome. */
  @WithDefault("/var/cache/era")
  Path imageCacheDir();

  /** kvm or tcg to force one; empty to probe (ERA_ACCEL). */
  Optional<String> accelerator();

  @WithDefault(LauncherConfig.DEFAULT_BOOT_TIMEOUT)
  Duration bootTimeout();

  /**
   * The user (name or numeric UID) the VMs' QEMU runs as, with no capabilities, when the agent runs
   * as root; as the agent's own user otherwise.
   */
  @WithDefault(LauncherConfig.DEFAULT_QEMU_USER)
  String qemuUser();

  /** Comma-separated (ERA_AGENT_ALLOWED_CIDRS); none by default. */
  Optional<List<String>> allowedCidrs();

  /** Comma-separated (ERA_AGENT_DENIED_CIDRS); none by default. */
  Optional<List<String>> deniedCidrs();

  default NodeAgentConfig agentConfig() {
    return new NodeAgentConfig(
        nodeName(),
        stateDir(),
        reserveCpu(),
        reserveMemoryMib(),
        cpuAllocationRatio(),
        heartbeat(),
        httpHost(),
        httpPort(),
        advertiseHost().orElse(null),
        runTailBytes(),
        runLogMaxBytes(),
        stopTimeout());
  }

  default LauncherConfig launcherConfig() {
    return new LauncherConfig(
            launcherStateDir(),
            imageCacheDir(),
            LauncherConfig.parseAccelerator(accelerator().orElse(null)),
            bootTimeout())
        .withCidrs(allowedCidrs().orElse(List.of()), deniedCidrs().orElse(List.of()))
        .withQemuUser(QemuUser.whenRoot(qemuUser()).map(QemuUser::name).orElse(null));
  }
}
