package dev.era.apiserver.testing;

import dev.era.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded API server, with ERA's CRDs, for the tests of one class: register it on a static
 * field with {@code @RegisterExtension}; it starts on a free port before the class's first test
 * and stops after its last.
 */
public final class ApiServerExtension implements BeforeAllCallback, AfterAllCallback {
  private EmbeddedApiServer server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = new EmbeddedApiServer();
    server.start(0);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  public EmbeddedApiServer server() {
    if (server == null) {
      throw new IllegalStateException("the server starts before the class's tests; register this on a static field");
    }
    return server;
  }

  /** The server's own client; see {@link EmbeddedApiServer#newClient()} for one per component. */
  public KubernetesClient client() {
    return server().client();
  }
}
