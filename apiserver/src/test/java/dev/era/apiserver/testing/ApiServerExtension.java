package dev.era.apiserver.testing;

import dev.era.apiserver.Component;
import dev.era.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded API server, with ERA's CRDs, for the tests of one class: register it on a static
 * field with {@code @RegisterExtension}; it starts on a free port before the class's first test and
 * stops after its last. Code of the operator or the node agent under test takes {@link
 * #clientOf(Component)}, with exactly the chart's rules for it; the test itself takes {@link
 * #client()}.
 */
public final class ApiServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final Map<Component, KubernetesClient> components = new EnumMap<>(Component.class);
  private EmbeddedApiServer server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = new EmbeddedApiServer();
    server.start(0);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    components.values().forEach(KubernetesClient::close);
    components.clear();
    server.close();
  }

  public EmbeddedApiServer server() {
    if (server == null) {
      throw new IllegalStateException(
          "the server starts before the class's tests; register this on a static field");
    }
    return server;
  }

  /** The server's own client, as user {@code era}, who may do anything. */
  public KubernetesClient client() {
    return server().client();
  }

  /**
   * A client as the component's chart service account, one per component, closed with the server.
   */
  public synchronized KubernetesClient clientOf(Component component) {
    return components.computeIfAbsent(component, server()::newClient);
  }
}
