package dev.era.agent;

import dev.era.api.Crds;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/** An in-process API server: fabric8's mock in CRUD mode with the ERA CRDs from crds/ applied. */
public final class ApiServer implements AutoCloseable {
  /** The mock logs a line per request; held here so the level sticks (loggers are weakly held). */
  private static final Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");
  private static final Logger VERSION_LOG = quiet("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private ApiServer(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  public static ApiServer start() {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(),
        new HashMap<>(), new StatusVersionCheck(), false);
    server.init();
    KubernetesClient client = server.createClient();
    applyCrds(client);
    return new ApiServer(server, client);
  }

  public KubernetesClient client() {
    return client;
  }

  /** Another client of the same server (one per component, as in a cluster). */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  public static void applyCrds(KubernetesClient client) {
    Crds.apply(client);
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
