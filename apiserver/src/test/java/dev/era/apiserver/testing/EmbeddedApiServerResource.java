package dev.era.apiserver.testing;

import dev.era.apiserver.Component;
import dev.era.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceConfigurableLifecycleManager;
import java.util.Map;

/**
 * Starts an embedded API server on a free port before a Quarkus application under test and points
 * the application's Kubernetes client at it as the component {@link WithEmbeddedApiServer} names;
 * the test's {@link AdminClient} fields get the server's own client.
 *
 * <p>The application's client is pointed there with fabric8's system properties, as Quarkus' own
 * test server does: the {@code quarkus.kubernetes-client.*} properties are fixed at build time.
 * They also keep ~/.kube/config and any service account out of the tests.
 */
public final class EmbeddedApiServerResource
    implements QuarkusTestResourceConfigurableLifecycleManager<WithEmbeddedApiServer> {
  private Component component;
  private EmbeddedApiServer server;
  private Map<String, String> clientSettings = Map.of();

  @Override
  public void init(WithEmbeddedApiServer annotation) {
    component = annotation.value();
  }

  @Override
  public Map<String, String> start() {
    server = new EmbeddedApiServer();
    server.start(0);
    Config config = server.clientConfig(component);
    clientSettings =
        Map.of(
            Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, config.getMasterUrl(),
            Config.KUBERNETES_NAMESPACE_SYSTEM_PROPERTY, config.getNamespace(),
            Config.KUBERNETES_CA_CERTIFICATE_DATA_SYSTEM_PROPERTY, config.getCaCertData(),
            Config.KUBERNETES_OAUTH_TOKEN_SYSTEM_PROPERTY, config.getOauthToken(),
            Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false",
            Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");
    clientSettings.forEach(System::setProperty);
    return Map.of();
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        server.client(),
        new TestInjector.AnnotatedAndMatchesType(AdminClient.class, KubernetesClient.class));
  }

  @Override
  public void stop() {
    clientSettings.keySet().forEach(System::clearProperty);
    server.close();
  }
}
