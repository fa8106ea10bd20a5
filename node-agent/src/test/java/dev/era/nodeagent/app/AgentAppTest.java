package dev.era.nodeagent.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.api.ConditionTypes;
import dev.era.api.EraNode;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.AdminClient;
import dev.era.apiserver.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Quarkus app wires the agent from its settings: the node registers itself and the endpoint
 * answers, and tells it is not ready while no guest image is cached. No guest boots here, so it
 * needs no QEMU (the accelerator is forced).
 */
@QuarkusTest
@TestProfile(AgentAppTest.Profile.class)
@WithEmbeddedApiServer(Component.NODE_AGENT)
class AgentAppTest {
  @AdminClient KubernetesClient client;
  @Inject AgentApp app;

  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "era.agent.node-name", "app-node",
          "era.agent.state-dir", "target/agent-app-test/agent",
          "era.agent.launcher-state-dir", "target/agent-app-test/launcher",
          "era.agent.image-cache-dir", "target/agent-app-test/cache",
          "era.agent.accelerator", "tcg",
          "era.agent.http-host", "127.0.0.1",
          "era.agent.http-port", "0");
    }
  }

  @Test
  void theAppRegistersTheNodeAndServesItsEndpoint() throws Exception {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              EraNode node = client.resources(EraNode.class).withName("app-node").get();
              return node != null && node.getStatus().isTrue(ConditionTypes.READY);
            });
    EraNode node = client.resources(EraNode.class).withName("app-node").get();

    assertThat(node.getStatus().getAgentEndpoint()).isEqualTo(app.agent().endpoint());
    HttpResponse<String> health = get(node, "/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    // Reported and started, but no guest image is cached here: not ready to take VMs. (The agent
    // learns that its report landed just after the API server has it.)
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> get(node, "/readyz"),
            r ->
                r.statusCode() == 503
                    && r.body().equals("not ready: guest images missing: [python, node]\n"));
  }

  private static HttpResponse<String> get(EraNode node, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(node.getStatus().getAgentEndpoint() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
