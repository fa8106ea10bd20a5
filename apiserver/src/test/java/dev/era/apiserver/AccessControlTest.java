package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Authentication and RBAC in front of the API, with kube-apiserver's answers; no HTTP. */
class AccessControlTest {
  private static final String VM = "/apis/era.dev/v1alpha1/namespaces/ns/eravms/vm";
  private static final BearerTokens TOKENS = BearerTokens.generate(EmbeddedApiServer.identities());
  private static final String OPERATOR = Component.OPERATOR.user().name();
  private static final String AGENT = Component.NODE_AGENT.user().name();

  private final List<String> passed = new ArrayList<>();
  private final AccessControl access =
      new AccessControl(
          TOKENS,
          new RbacAuthorizer(RbacPolicy.load()),
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              passed.add(request.getMethod() + " " + request.getPath());
              return new MockResponse().setResponseCode(200);
            }
          });

  private MockResponse send(HttpMethod method, String path, Headers headers) {
    return access.dispatch(new RecordedRequest("HTTP/1.1", method, path, headers, new Buffer()));
  }

  private MockResponse send(String user, HttpMethod method, String path) {
    return send(
        method,
        path,
        Headers.builder().add("Authorization", "Bearer " + TOKENS.tokenOf(user)).build());
  }

  private static JsonNode body(MockResponse response) {
    return Json.read(response.getBody().readUtf8());
  }

  @Test
  void noValidTokenIsUnauthorized() {
    for (Headers headers :
        List.of(
            Headers.builder().build(),
            Headers.builder().add("Authorization", "Bearer wrong").build(),
            Headers.builder().add("Authorization", "Basic ZXJhOmVyYQ==").build())) {
      MockResponse response = send(HttpMethod.GET, "/version", headers);

      assertThat(response.code()).isEqualTo(401);
      assertThat(body(response))
          .isEqualTo(
              Json.read(
                  """
          {"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
           "message": "Unauthorized", "reason": "Unauthorized", "code": 401}"""));
    }
    assertThat(passed).isEmpty();
  }

  @Test
  void aForbiddenObjectIsNamedWithTheUserVerbResourceGroupAndNamespace() {
    MockResponse response = send(AGENT, HttpMethod.DELETE, VM);

    assertThat(response.code()).isEqualTo(403);
    assertThat(body(response))
        .isEqualTo(
            Json.read(
                """
        {"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
         "message": "eravms.era.dev \\"vm\\" is forbidden: User \\"%s\\" cannot delete resource \\"eravms\\" in API group \\"era.dev\\" in the namespace \\"ns\\"",
         "reason": "Forbidden", "details": {"name": "vm", "group": "era.dev", "kind": "eravms"}, "code": 403}"""
                    .formatted(AGENT)));
    assertThat(passed).isEmpty();
  }

  @Test
  void forbiddenMessagesForCollectionsSubresourcesTheClusterScopeAndPaths() {
    assertThat(message(send(OPERATOR, HttpMethod.POST, "/apis/era.dev/v1alpha1/eranodes")))
        .isEqualTo(
            "eranodes.era.dev is forbidden: User \""
                + OPERATOR
                + "\" cannot create resource \"eranodes\" in API group"
                + " \"era.dev\" at the cluster scope");
    assertThat(message(send(AGENT, HttpMethod.GET, "/api/v1/secrets")))
        .isEqualTo(
            "secrets is forbidden: User \""
                + AGENT
                + "\" cannot list resource \"secrets\" in API group \"\" at the"
                + " cluster scope");
    assertThat(message(send(OPERATOR, HttpMethod.PUT, VM + "/status")))
        .isEqualTo(
            "eravms.era.dev \"vm\" is forbidden: User \""
                + OPERATOR
                + "\" cannot update resource \"eravms/status\" in"
                + " API group \"era.dev\" in the namespace \"ns\"");
    assertThat(message(send(AGENT, HttpMethod.GET, "/")))
        .isEqualTo("forbidden: User \"" + AGENT + "\" cannot get path \"/\"");
  }

  @Test
  void allowedRequestsReachTheApi() {
    assertThat(send(AGENT, HttpMethod.PATCH, VM + "/status").code()).isEqualTo(200);
    assertThat(send(OPERATOR, HttpMethod.GET, "/apis/era.dev/v1alpha1").code())
        .as("discovery")
        .isEqualTo(200);
    assertThat(
            send(EmbeddedApiServer.ADMIN_USER, HttpMethod.DELETE, "/api/v1/namespaces/ns").code())
        .isEqualTo(200);
    assertThat(passed)
        .containsExactly(
            "PATCH " + VM + "/status",
            "GET /apis/era.dev/v1alpha1",
            "DELETE /api/v1/namespaces/ns");
  }

  @Test
  void impersonationIsRefusedRatherThanIgnored() {
    MockResponse response =
        send(
            HttpMethod.GET,
            VM,
            Headers.builder()
                .add("Authorization", "Bearer " + TOKENS.tokenOf(EmbeddedApiServer.ADMIN_USER))
                .add("Impersonate-User", AGENT)
                .build());

    assertThat(response.code()).isEqualTo(400);
    assertThat(message(response)).contains("impersonation");
    assertThat(passed).isEmpty();
  }

  private static String message(MockResponse response) {
    assertThat(response.code()).isIn(400, 403);
    return body(response).path("message").asText();
  }
}
