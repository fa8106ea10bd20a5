package dev.era.apiserver;

import dev.era.api.Crds;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The Kubernetes API server {@code era} runs when there is no cluster, and every integration test
 * runs against: fabric8's CRUD mock as the store, with what real clients need on top (discovery,
 * OpenAPI v3, tables, schema validation and defaulting, status-subresource and resourceVersion
 * rules, HTTP watches), on plain HTTP at {@code 127.0.0.1}, serving ERA's CRDs from the api jar.
 *
 * <pre>{@code
 * try (EmbeddedApiServer server = new EmbeddedApiServer()) {
 *   if (Files.exists(state)) server.restore(state);
 *   server.start(6443); // 0 picks a free port
 *   server.writeKubeconfig(kubeconfig);
 *   ... server.client() ...
 *   server.save(state);
 * }
 * }</pre>
 *
 * There is no authentication: anyone who can reach the loopback port can use it.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  public static final String HOST = "127.0.0.1";
  public static final String DEFAULT_NAMESPACE = "default";

  private final KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
  private final ApiDispatcher dispatcher;
  /** Read without the lock: the dispatcher asks for the port while start() holds it. */
  private volatile ApiHttpServer http;
  private KubernetesClient client;
  private boolean stopped;

  public EmbeddedApiServer() {
    this(Clock.systemUTC());
  }

  EmbeddedApiServer(Clock clock) {
    this.dispatcher = new ApiDispatcher(store, new ResourceCatalog(), clock, () -> HOST + ":" + port());
  }

  /**
   * Loads objects saved by {@link #save(Path)}; only before {@link #start(int)}, into the empty store.
   *
   * @throws IOException if the file cannot be read or is not a saved state
   */
  public synchronized void restore(Path stateFile) throws IOException {
    if (http != null || stopped) {
      throw new IllegalStateException("restore() must come before start()");
    }
    if (!store.getMap().isEmpty()) {
      throw new IllegalStateException("restore() loads into an empty server; this one already holds objects");
    }
    StateFile.restore(store, stateFile);
    dispatcher.resources().refreshCatalog();
  }

  /**
   * Listens on {@code 127.0.0.1:port} (0 picks a free port), makes sure namespace
   * {@value #DEFAULT_NAMESPACE} exists and installs ERA's CRDs ({@link Crds#load()}), replacing
   * restored ones: a newer {@code era} may bring changed CRDs.
   *
   * @throws IllegalStateException if already started or stopped, or the port cannot be bound
   */
  public synchronized void start(int port) {
    if (http != null || stopped) {
      throw new IllegalStateException("start() may be called once");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, not " + port);
    }
    http = ApiHttpServer.start(HOST, port, dispatcher);
    try {
      if (client().namespaces().withName(DEFAULT_NAMESPACE).get() == null) {
        client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(DEFAULT_NAMESPACE)
            .endMetadata().build()).create();
      }
      installEraCrds();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  public int port() {
    ApiHttpServer server = http;
    if (server == null) {
      throw new IllegalStateException(stopped ? "the embedded API server is stopped" : "call start() first");
    }
    return server.port();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://" + HOST + ":" + port();
  }

  /** A client for this server (namespace {@value #DEFAULT_NAMESPACE}); closed by {@link #stop()}. */
  public synchronized KubernetesClient client() {
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  /**
   * Another client of this server (namespace {@value #DEFAULT_NAMESPACE}), for a component that
   * should have its own, as in a cluster; the caller closes it.
   */
  public KubernetesClient newClient() {
    requireStarted();
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace(DEFAULT_NAMESPACE).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Writes a kubeconfig whose current context, {@code era}, points at this server. */
  public void writeKubeconfig(Path file) throws IOException {
    Kubeconfig.write(Kubeconfig.of(url(), DEFAULT_NAMESPACE), file);
  }

  /** Writes every stored object (all kinds) to {@code file}, atomically; safe while serving. */
  public void save(Path stateFile) throws IOException {
    dispatcher.resources().whileWritesPaused(() -> StateFile.save(store, stateFile));
  }

  /** Closes the client, open watches and the listener, and stops the server's threads. Idempotent. */
  public synchronized void stop() {
    stopped = true;
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      client = null;
      if (http != null) {
        http.close();
        http = null;
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void installEraCrds() {
    var api = client().apiextensions().v1().customResourceDefinitions();
    for (CustomResourceDefinition crd : Crds.load()) {
      CustomResourceDefinition existing = api.withName(crd.getMetadata().getName()).get();
      if (existing == null) {
        api.resource(crd).create();
      } else {
        api.resource(new CustomResourceDefinitionBuilder(crd).editMetadata()
            .withResourceVersion(existing.getMetadata().getResourceVersion()).endMetadata().build()).update();
      }
    }
  }

  private void requireStarted() {
    if (http == null) {
      throw new IllegalStateException(stopped ? "the embedded API server is stopped" : "call start() first");
    }
  }
}
