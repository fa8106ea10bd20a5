package dev.era.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.era.api.EraVM;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link KubeApi} and {@link ApiResources} against a fake API server. */
class KubeApiTest {
  private static final String VMS = "/prefix/apis/era.dev/v1alpha1/namespaces/team/eravms";

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization"));
          switch (exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()) {
            case "GET " + VMS + "/box" ->
                answer(exchange, 200, "{\"metadata\":{\"name\":\"box\"},\"spec\":{\"cpu\":3}}");
            case "GET " + VMS ->
                answer(exchange, 200, "{\"items\":[{\"metadata\":{\"name\":\"a\"}}]}");
            case "POST " + VMS ->
                answer(
                    exchange,
                    409,
                    "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"AlreadyExists\","
                        + "\"message\":\"eravms \\\"box\\\" already exists\"}");
            case "DELETE " + VMS + "/box" ->
                // An object with finalizers is answered with itself, as it is being deleted.
                answer(
                    exchange,
                    200,
                    "{\"metadata\":{\"name\":\"box\",\"finalizers\":[\"era.dev/vm\"]},"
                        + "\"status\":{\"phase\":\"Running\"}}");
            default -> answer(exchange, 404, "404 page not found");
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void answer(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private ApiResources<EraVM> vms(String masterUrl) {
    Config config =
        new ConfigBuilder(Config.empty()).withMasterUrl(masterUrl).withOauthToken("t0k").build();
    return new Cluster(KubeApi.of(config, Duration.ofSeconds(2), 0), "team", "test").vms();
  }

  private ApiResources<EraVM> vms() {
    return vms("http://127.0.0.1:" + server.getAddress().getPort() + "/prefix/");
  }

  @Test
  void getsListsAndSendsTheTokenUnderTheServersPath() {
    assertThat(vms().find("box"))
        .get()
        .satisfies(vm -> assertThat(vm.getSpec().getCpu()).isEqualTo(3));
    assertThat(vms().list()).extracting(vm -> vm.getMetadata().getName()).containsExactly("a");
    assertThat(requests)
        .containsExactly("GET " + VMS + "/box Bearer t0k", "GET " + VMS + " Bearer t0k");
  }

  @Test
  void aMissingObjectIsEmpty() {
    assertThat(vms().find("nothing")).isEmpty();
  }

  @Test
  void deletesWhetherTheServerAnswersWithTheObjectOrFindsNone() {
    vms().delete("box");
    vms().delete("nothing");

    assertThat(requests)
        .containsExactly(
            "DELETE " + VMS + "/box Bearer t0k", "DELETE " + VMS + "/nothing Bearer t0k");
  }

  @Test
  void anErrorCarriesTheApiServersStatus() {
    EraVM vm = new EraVM();
    vm.setMetadata(new ObjectMetaBuilder().withName("box").build());

    assertThatThrownBy(() -> vms().create(vm))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(e.getStatus().getMessage()).isEqualTo("eravms \"box\" already exists");
            });
  }

  @Test
  void anUnreachableServerIsAConnectFailure() {
    int port = server.getAddress().getPort();
    server.stop(0);

    assertThatThrownBy(() -> vms("http://127.0.0.1:" + port).list())
        .isInstanceOf(KubernetesClientException.class)
        .hasCauseInstanceOf(ConnectException.class);
  }
}
