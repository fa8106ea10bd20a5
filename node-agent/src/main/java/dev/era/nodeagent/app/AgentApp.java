package dev.era.nodeagent.app;

import dev.era.launcher.QemuLauncher;
import dev.era.nodeagent.NodeAgent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The node agent as a Quarkus app (one per node, a DaemonSet): builds the launcher and the {@link
 * NodeAgent} at startup and closes both at shutdown; the VMs keep running for the next agent.
 */
@ApplicationScoped
public class AgentApp {
  @Inject KubernetesClient client;
  @Inject AgentSettings settings;

  private QemuLauncher launcher;
  private NodeAgent agent;

  void onStart(@Observes StartupEvent event) {
    launcher = new QemuLauncher(settings.launcherConfig());
    try {
      agent = NodeAgent.start(client, launcher, settings.agentConfig());
    } catch (RuntimeException e) {
      launcher.close();
      throw e;
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    if (agent != null) {
      agent.close();
    }
    if (launcher != null) {
      launcher.close();
    }
  }

  /** The running agent, for tests and health checks. */
  public NodeAgent agent() {
    return agent;
  }
}
