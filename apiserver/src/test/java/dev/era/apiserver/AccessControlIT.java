package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.EraNode;
import dev.era.api.EraVM;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS, bearer tokens and RBAC on the running server, as clients meet them. */
class AccessControlIT {
  private static final String OPERATOR = "system:serviceaccount:era-system:era-operator";
  private static final String NODE_AGENT = "system:serviceaccount:era-system:era-node-agent";

  private static EmbeddedApiServer server;

  @BeforeAll
  static void start() {
    server = new EmbeddedApiServer();
    server.start(0);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aClientThatDoesNotTrustTheCaCannotConnect() {
    HttpRequest version = HttpRequest.newBuilder(URI.create(server.url() + "/version")).build();
    assertThatThrownBy(
            () -> HttpClient.newHttpClient().send(version, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);

    Config withoutCa =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(server.url())
            .withOauthToken(server.tokenOf(EmbeddedApiServer.ADMIN_USER))
            .withRequestRetryBackoffLimit(0)
            .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(withoutCa).build()) {
      assertThatThrownBy(() -> client.namespaces().list())
          .hasStackTraceContaining("PKIX path building failed");
    }
  }

  @Test
  void theKubeconfigCarriesTheCaAndTheAdminsTokenAndOnlyItsOwnerMayReadIt(@TempDir Path dir)
      throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    server.writeKubeconfig(kubeconfig);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig)))
        .isEqualTo("rw-------");
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    assertThat(config.getMasterUrl()).startsWith("https://127.0.0.1:");
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(client.namespaces().withName("default").get()).isNotNull();
      client.resources(EraNode.class).resource(node("from-kubeconfig")).create();
    }
  }

  @Test
  void withoutAValidTokenEveryRequestIsUnauthorized() throws Exception {
    HttpClient http = Https.client(server);
    for (String path :
        "/version,/apis/era.dev/v1alpha1/eravms,/apis/era.dev/v1alpha1/eravms?watch=true"
            .split(",")) {
      HttpResponse<String> noToken =
          http.send(
              HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(noToken.statusCode()).as(path).isEqualTo(401);
      assertThat(Json.read(noToken.body()).path("reason").asText()).isEqualTo("Unauthorized");

      HttpResponse<String> badToken =
          http.send(
              HttpRequest.newBuilder(URI.create(server.url() + path))
                  .header("Authorization", "Bearer not-a-token")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(badToken.statusCode()).as(path).isEqualTo(401);
    }
  }

  @Test
  void theOperatorMayNotWriteNodes() {
    inAs(
        Component.OPERATOR,
        client ->
            assertForbidden(
                () -> client.resources(EraNode.class).resource(node("n")).create(),
                "eranodes.era.dev is forbidden: User \""
                    + OPERATOR
                    + "\" cannot create resource \"eranodes\" in API group"
                    + " \"era.dev\" at the cluster scope"));
  }

  @Test
  void theNodeAgentMayNotDeleteOrReplaceVms() {
    EraVM vm = new EraVM();
    vm.getMetadata().setName("vm");
    EraVM created = server.client().resource(vm).createOr(existing -> existing.update());
    inAs(
        Component.NODE_AGENT,
        client -> {
          assertForbidden(
              () -> client.resource(created).delete(),
              "eravms.era.dev \"vm\" is forbidden: User \""
                  + NODE_AGENT
                  + "\" cannot delete resource \"eravms\" in"
                  + " API group \"era.dev\" in the namespace \"default\"");
          assertForbidden(
              () -> client.resource(created).update(),
              "eravms.era.dev \"vm\" is forbidden: User \""
                  + NODE_AGENT
                  + "\" cannot update resource \"eravms\" in"
                  + " API group \"era.dev\" in the namespace \"default\"");
          assertThat(client.resource(created).get()).as("but it may read it").isNotNull();
        });
  }

  @Test
  void credentialsInADirectoryOutliveTheServer(@TempDir Path dir) throws Exception {
    Path credentials = dir.resolve("credentials");
    Path kubeconfig = dir.resolve("kubeconfig");
    try (EmbeddedApiServer first = new EmbeddedApiServer(credentials)) {
      first.start(0);
      first.writeKubeconfig(kubeconfig);
    }
    Config saved = Config.fromKubeconfig(Files.readString(kubeconfig));
    try (EmbeddedApiServer second = new EmbeddedApiServer(credentials)) {
      second.start(0);
      Config atTheNewPort = new ConfigBuilder(saved).withMasterUrl(second.url()).build();
      try (KubernetesClient client =
          new KubernetesClientBuilder().withConfig(atTheNewPort).build()) {
        assertThat(client.namespaces().withName("default").get())
            .as("the old CA and token still work")
            .isNotNull();
      }
    }
    try (var files = Files.list(credentials)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "tokens.csv");
    }
  }

  private static void inAs(Component component, Consumer<KubernetesClient> test) {
    try (KubernetesClient client = server.newClient(component)) {
      test.accept(client);
    }
  }

  private static void assertForbidden(Runnable request, String message) {
    assertThatThrownBy(request::run)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getStatus().getMessage()).isEqualTo(message);
            });
  }

  private static EraNode node(String name) {
    EraNode node = new EraNode();
    node.getMetadata().setName(name);
    return node;
  }
}
