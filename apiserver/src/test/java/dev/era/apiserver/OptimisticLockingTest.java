package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.era.api.Crds;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes based on a stale resourceVersion fail with 409 Conflict, as on kube-apiserver: replace,
 * status replace, a patch that names a version, and a delete with preconditions. Driven through the
 * dispatcher, without HTTP.
 */
class OptimisticLockingTest {
  private static final String VMS = "/apis/era.dev/v1alpha1/namespaces/ns/eravms";
  private static final String VM = VMS + "/vm";
  private static final String MERGE_PATCH = "application/merge-patch+json";
  private static final String JSON = "application/json";

  private final ApiDispatcher server =
      new ApiDispatcher(
          new WatchableStore(), new ResourceCatalog(), Clock.systemUTC(), () -> "127.0.0.1:1");
  private JsonNode stale;

  @BeforeEach
  void createAVmAndChangeIt() {
    Crds.load()
        .forEach(
            crd ->
                send(
                    HttpMethod.POST,
                    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                    JSON,
                    Json.write(crd)));
    stale =
        body(
            send(
                HttpMethod.POST,
                VMS,
                JSON,
                "{\"apiVersion\": \"era.dev/v1alpha1\", \"kind\": \"EraVM\", \"metadata\": {\"name\": \"vm\"}, \"spec\": {}}"));
    assertThat(send(HttpMethod.PATCH, VM, MERGE_PATCH, "{\"spec\": {\"cpu\": 2}}").code())
        .isEqualTo(200);
  }

  @Test
  void aReplaceOfAStaleVersionConflicts() {
    assertRefused(
        send(HttpMethod.PUT, VM, JSON, Json.write(stale)),
        409,
        "Operation cannot be fulfilled on eravms.era.dev"
            + " \"vm\": the object has been modified; please apply your changes to the latest version and try again");
    assertThat(cpu()).isEqualTo(2);
  }

  @Test
  void aStatusWriteBasedOnAStaleVersionConflicts() {
    String withStatus =
        Json.write(
            ((ObjectNode) stale.deepCopy()).set("status", Json.read("{\"phase\": \"Failed\"}")));
    assertThat(send(HttpMethod.PUT, VM + "/status", JSON, withStatus).code()).isEqualTo(409);
    assertThat(
            send(
                    HttpMethod.PATCH,
                    VM + "/status",
                    MERGE_PATCH,
                    "{\"metadata\": {\"resourceVersion\": \""
                        + version(stale)
                        + "\"}, \"status\": {\"phase\": \"Failed\"}}")
                .code())
        .isEqualTo(409);
    assertThat(body(get()).has("status")).isFalse();
  }

  @Test
  void aPatchConflictsOnlyWhenItNamesAStaleVersion() {
    assertThat(
            send(
                    HttpMethod.PATCH,
                    VM,
                    MERGE_PATCH,
                    "{\"metadata\": {\"resourceVersion\": \""
                        + version(stale)
                        + "\"}, \"spec\": {\"cpu\": 3}}")
                .code())
        .isEqualTo(409);
    assertThat(cpu()).isEqualTo(2);

    assertThat(send(HttpMethod.PATCH, VM, MERGE_PATCH, "{\"spec\": {\"cpu\": 3}}").code())
        .isEqualTo(200);
    assertThat(cpu()).isEqualTo(3);
  }

  @Test
  void aReplaceOfACustomResourceMustNameTheVersionItReplaces() {
    JsonNode current = body(get());
    ((ObjectNode) current.path("metadata")).remove("resourceVersion");
    assertRefused(
        send(HttpMethod.PUT, VM, JSON, Json.write(current)),
        422,
        "EraVM.era.dev \"vm\" is invalid:"
            + " metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");

    String configMaps = "/api/v1/namespaces/ns/configmaps";
    send(
        HttpMethod.POST,
        configMaps,
        JSON,
        "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\","
            + " \"metadata\": {\"name\": \"cm\"}, \"data\": {\"a\": \"1\"}}");
    assertThat(
            send(
                    HttpMethod.PUT,
                    configMaps + "/cm",
                    JSON,
                    "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\","
                        + " \"metadata\": {\"name\": \"cm\"}, \"data\": {\"a\": \"2\"}}")
                .code())
        .as("built-in kinds allow an unconditional update")
        .isEqualTo(200);
  }

  @Test
  void aDeleteWithStalePreconditionsConflictsAndKeepsTheObject() {
    MockResponse staleVersion =
        send(
            HttpMethod.DELETE,
            VM,
            JSON,
            "{\"preconditions\": {\"resourceVersion\": \"" + version(stale) + "\"}}");
    assertThat(staleVersion.code()).isEqualTo(409);
    assertThat(body(staleVersion).path("message").asText())
        .contains("Precondition failed: ResourceVersion in" + " precondition: " + version(stale));
    assertThat(
            send(HttpMethod.DELETE, VM, JSON, "{\"preconditions\": {\"uid\": \"someone-else\"}}")
                .code())
        .isEqualTo(409);
    assertThat(get().code()).isEqualTo(200);

    JsonNode current = body(get());
    assertThat(
            send(
                    HttpMethod.DELETE,
                    VM,
                    JSON,
                    "{\"preconditions\": {\"uid\": \""
                        + current.path("metadata").path("uid").asText()
                        + "\", \"resourceVersion\": \""
                        + version(current)
                        + "\"}}")
                .code())
        .isEqualTo(200);
    assertThat(get().code()).isEqualTo(404);
  }

  private MockResponse get() {
    return send(HttpMethod.GET, VM, null, "");
  }

  private int cpu() {
    return body(get()).path("spec").path("cpu").asInt();
  }

  private static String version(JsonNode object) {
    return object.path("metadata").path("resourceVersion").asText();
  }

  private static JsonNode body(MockResponse response) {
    return Json.read(response.getBody().readUtf8());
  }

  private static void assertRefused(MockResponse response, int code, String message) {
    assertThat(response.code()).isEqualTo(code);
    assertThat(body(response).path("message").asText()).isEqualTo(message);
  }

  private MockResponse send(HttpMethod method, String path, String contentType, String body) {
    Headers.Builder headers = Headers.builder();
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    return server.dispatch(
        new RecordedRequest(
            "HTTP/1.1",
            method,
            path,
            headers.build(),
            new Buffer(body.getBytes(StandardCharsets.UTF_8))));
  }
}
