package dev.era.apiserver.testing;

import dev.era.apiserver.EmbeddedApiServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts an embedded API server on a free port before a Quarkus application under test and points
 * the application's Kubernetes client at it; used through {@link WithEmbeddedApiServer}.
 *
 * <p>The client is pointed there with fabric8's system properties, as Quarkus' own test server
 * does: the {@code quarkus.kubernetes-client.*} properties are fixed at build time. They also keep
 * ~/.kube/config and any service account out of the tests.
 */
public final class EmbeddedApiServerResource implements QuarkusTestResourceLifecycleManager {
  private EmbeddedApiServer server;
  private Map<String, String> clientSettings = Map.of();

  @Override
  public Map<String, String> start() {
    server = new EmbeddedApiServer();
    server.start(0);
    clientSettings = Map.of(
        "kubernetes.master", server.url(),
        "kubernetes.namespace", EmbeddedApiServer.DEFAULT_NAMESPACE,
        "kubernetes.auth.tryKubeConfig", "false",
        "kubernetes.auth.tryServiceAccount", "false");
    clientSettings.forEach(System::setProperty);
    return Map.of();
  }

  @Override
  public void stop() {
    clientSettings.keySet().forEach(System::clearProperty);
    server.close();
  }
}
