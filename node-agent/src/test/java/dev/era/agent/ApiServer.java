package dev.era.agent;

import dev.era.api.Crds;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process API server: fabric8's mock in CRUD mode with the ERA CRDs from crds/ applied. Either
 * {@link #start()} and {@link #close()} it, or register it on a static field with
 * {@code @RegisterExtension} for one server per test class.
 */
public final class ApiServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  /** The mock logs a line per request; held here so the level sticks (loggers are weakly held). */
  private static final Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");
  private static final Logger VERSION_LOG = quiet("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");

  private KubernetesMockServer server;
  private KubernetesClient client;

  public static ApiServer start() {
    ApiServer api = new ApiServer();
    api.open();
    return api;
  }

  private void open() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new StatusVersionCheck(), false);
    server.init();
    client = server.createClient();
    Crds.apply(client);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    open();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  public KubernetesClient client() {
    return client;
  }

  /** Another client of the same server (one per component, as in a cluster). */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.SEVERE);
    return logger;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
