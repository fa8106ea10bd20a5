package dev.era.apiserver;

import dev.era.api.Crds;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Kubernetes API server {@code era} runs when there is no cluster, and every integration test
 * runs against: fabric8's CRUD mock as the store, with what real clients need on top (discovery,
 * OpenAPI v3, tables, schema validation and defaulting, status-subresource and resourceVersion
 * rules, HTTP watches), on HTTPS at {@code 127.0.0.1}, serving ERA's CRDs from the api jar.
 *
 * <pre>{@code
 * try (EmbeddedApiServer server = new EmbeddedApiServer(credentialsDir)) {
 *   if (Files.exists(state)) server.restore(state);
 *   server.start(6443); // 0 picks a free port
 *   server.writeKubeconfig(kubeconfig);
 *   ... server.client(), server.newClient(Component.OPERATOR) ...
 *   server.save(state);
 * }
 * }</pre>
 *
 * Every request needs a bearer token and is checked against RBAC, as on a cluster: the user {@value
 * #ADMIN_USER} (group {@code system:masters}) may do anything; each {@link Component} is its chart
 * service account, with exactly the chart's rules ({@link RbacPolicy}). The server's certificate is
 * signed by a CA of its own ({@link ServerTls}); kubeconfigs and clients from here trust that CA
 * and carry a token ({@link BearerTokens}).
 */
public final class EmbeddedApiServer implements AutoCloseable {
  public static final String HOST = "127.0.0.1";
  public static final String DEFAULT_NAMESPACE = "default";

  /** The user of {@link #client()} and of the kubeconfig. */
  public static final String ADMIN_USER = "era";

  private static final String TOKENS_FILE = "tokens.csv";

  private final WatchableStore store = new WatchableStore();
  private final ApiDispatcher dispatcher;
  private final ServerTls tls;
  private final BearerTokens tokens;

  /** Read without the lock: the dispatcher asks for the port while start() holds it. */
  private volatile ApiHttpServer http;

  private KubernetesClient client;
  private boolean stopped;

  /** A server with a new CA and new tokens, kept in memory only: for tests. */
  public EmbeddedApiServer() {
    this(
        Clock.systemUTC(),
        ServerTls.create(Clock.systemUTC().instant()),
        BearerTokens.generate(identities()));
  }

  /**
   * A server whose CA, serving certificate and tokens are kept in {@code credentialsDir} (mode
   * 0700, files 0600) and reused on the next start; what is missing is created there.
   *
   * @throws IOException if the directory or a file in it cannot be read or written
   */
  public EmbeddedApiServer(Path credentialsDir) throws IOException {
    this(
        Clock.systemUTC(),
        ServerTls.loadOrCreate(credentialsDir, Clock.systemUTC().instant()),
        BearerTokens.loadOrCreate(credentialsDir.resolve(TOKENS_FILE), identities()));
  }

  EmbeddedApiServer(Clock clock, ServerTls tls, BearerTokens tokens) {
    this.tls = tls;
    this.tokens = tokens;
    this.dispatcher =
        new ApiDispatcher(store, new ResourceCatalog(), clock, () -> HOST + ":" + port());
  }

  /** The users the server knows: the admin and every component. */
  static List<UserInfo> identities() {
    List<UserInfo> users = new ArrayList<>();
    users.add(new UserInfo(ADMIN_USER, List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED)));
    Arrays.stream(Component.values()).map(Component::user).forEach(users::add);
    return users;
  }

  /**
   * Loads objects saved by {@link #save(Path)}; only before {@link #start(int)}, into the empty
   * store.
   *
   * @throws IOException if the file cannot be read or is not a saved state
   */
  public synchronized void restore(Path stateFile) throws IOException {
    if (http != null || stopped) {
      throw new IllegalStateException("restore() must come before start()");
    }
    if (!store.getMap().isEmpty()) {
      throw new IllegalStateException(
          "restore() loads into an empty server; this one already holds objects");
    }
    StateFile.restore(store, stateFile);
    dispatcher.resources().refreshCatalog();
  }

  /**
   * Listens on {@code 127.0.0.1:port} (0 picks a free port), makes sure namespace {@value
   * #DEFAULT_NAMESPACE} exists and installs ERA's CRDs ({@link Crds#load()}), replacing restored
   * ones: a newer {@code era} may bring changed CRDs.
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
    http =
        ApiHttpServer.start(
            HOST,
            port,
            tls.keyCertOptions(),
            new AccessControl(tokens, new RbacAuthorizer(RbacPolicy.load()), dispatcher));
    try {
      if (client().namespaces().withName(DEFAULT_NAMESPACE).get() == null) {
        client()
            .namespaces()
            .resource(
                new NamespaceBuilder()
                    .withNewMetadata()
                    .withName(DEFAULT_NAMESPACE)
                    .endMetadata()
                    .build())
            .create();
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
      throw new IllegalStateException(
          stopped ? "the embedded API server is stopped" : "call start() first");
    }
    return server.port();
  }

  /** {@code https://127.0.0.1:<port>}. */
  public String url() {
    return "https://" + HOST + ":" + port();
  }

  /**
   * A client for this server as user {@value #ADMIN_USER} (namespace {@value #DEFAULT_NAMESPACE});
   * closed by {@link #stop()}.
   */
  public synchronized KubernetesClient client() {
    if (client == null) {
      client = new KubernetesClientBuilder().withConfig(configAs(ADMIN_USER)).build();
    }
    return client;
  }

  /**
   * A client of this server for a component, as its service account with the chart's RBAC rules
   * (namespace {@value #DEFAULT_NAMESPACE}); the caller closes it.
   */
  public KubernetesClient newClient(Component component) {
    return new KubernetesClientBuilder().withConfig(clientConfig(component)).build();
  }

  /**
   * What {@link #newClient(Component)} connects with: this server's URL and CA, the component's
   * token.
   */
  public Config clientConfig(Component component) {
    return configAs(component.user().name());
  }

  /**
   * Writes a kubeconfig (mode 0600) whose current context, {@code era}, points at this server with
   * its CA and the token of user {@value #ADMIN_USER}.
   */
  public void writeKubeconfig(Path file) throws IOException {
    Kubeconfig.write(
        Kubeconfig.of(url(), caPem(), tokens.tokenOf(ADMIN_USER), DEFAULT_NAMESPACE), file);
  }

  /** The CA that signed the server's certificate, as PEM. */
  String caPem() {
    return Pem.of(tls.caCertificate());
  }

  /** The bearer token of a user the server knows. */
  String tokenOf(String userName) {
    return tokens.tokenOf(userName);
  }

  /** Writes every stored object (all kinds) to {@code file}, atomically; safe while serving. */
  public void save(Path stateFile) throws IOException {
    dispatcher.resources().whileWritesPaused(() -> StateFile.save(store, stateFile));
  }

  /**
   * Closes the client, open watches and the listener, and stops the server's threads. Idempotent.
   */
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
        api.resource(
                new CustomResourceDefinitionBuilder(crd)
                    .editMetadata()
                    .withResourceVersion(existing.getMetadata().getResourceVersion())
                    .endMetadata()
                    .build())
            .update();
      }
    }
  }

  private Config configAs(String userName) {
    requireStarted();
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withNamespace(DEFAULT_NAMESPACE)
        .withCaCertData(Kubeconfig.base64(caPem()))
        .withOauthToken(tokens.tokenOf(userName))
        .build();
  }

  private void requireStarted() {
    if (http == null) {
      throw new IllegalStateException(
          stopped ? "the embedded API server is stopped" : "call start() first");
    }
  }
}
