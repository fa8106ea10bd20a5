package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.mockwebserver.http.HttpUrl;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestAttributesTest {
  private static final UserInfo USER = new UserInfo("u", List.of());
  private static final String VMS = "/apis/era.dev/v1alpha1/namespaces/ns/eravms";

  static RequestAttributes request(String method, String pathAndQuery) {
    return RequestAttributes.of(
        USER, method, HttpUrl.parse("https://127.0.0.1:6443" + pathAndQuery));
  }

  @ParameterizedTest(name = "{0} {1} is {2}")
  @CsvSource({
    "GET,    /apis/era.dev/v1alpha1/namespaces/ns/eravms/vm,             get",
    "HEAD,   /apis/era.dev/v1alpha1/namespaces/ns/eravms/vm,             get",
    "GET,    /apis/era.dev/v1alpha1/namespaces/ns/eravms,                list",
    "GET,    /apis/era.dev/v1alpha1/namespaces/ns/eravms?watch=true,     watch",
    "GET,    /apis/era.dev/v1alpha1/eravms?watch=1&labelSelector=a%3Db,  watch",
    "GET,    /apis/era.dev/v1alpha1/eravms?watch=false,                  list",
    "POST,   /apis/era.dev/v1alpha1/namespaces/ns/eravms,                create",
    "PUT,    /apis/era.dev/v1alpha1/namespaces/ns/eravms/vm,             update",
    "PUT,    /apis/era.dev/v1alpha1/namespaces/ns/eravms/vm/status,      update",
    "PATCH,  /apis/era.dev/v1alpha1/namespaces/ns/eravms/vm,             patch",
    "DELETE, /apis/era.dev/v1alpha1/namespaces/ns/eravms/vm,             delete",
    "DELETE, /apis/era.dev/v1alpha1/namespaces/ns/eravms,                deletecollection",
  })
  void verbsFollowTheMethodAndWhetherAnObjectIsNamed(String method, String path, String verb) {
    assertThat(request(method, path).verb()).isEqualTo(verb);
  }

  @Test
  void aNamespacedObjectWithASubresource() {
    RequestAttributes status = request("PUT", VMS + "/vm/status");

    assertThat(status.resourceRequest()).isTrue();
    assertThat(status.apiGroup()).isEqualTo("era.dev");
    assertThat(status.resource()).isEqualTo("eravms");
    assertThat(status.subresource()).isEqualTo("status");
    assertThat(status.namespace()).isEqualTo("ns");
    assertThat(status.name()).isEqualTo("vm");
  }

  @Test
  void clusterScopedResourcesAndListsOverAllNamespacesHaveNoNamespace() {
    assertThat(request("GET", "/apis/era.dev/v1alpha1/eranodes/node-a").namespace()).isEmpty();
    assertThat(request("GET", "/apis/era.dev/v1alpha1/eravms").namespace()).isEmpty();
    assertThat(request("POST", "/api/v1/namespaces/ns/events").apiGroup()).isEmpty();
  }

  @Test
  void aNamespaceIsInItself() {
    RequestAttributes namespace = request("GET", "/api/v1/namespaces/team-a");
    assertThat(namespace.resource()).isEqualTo("namespaces");
    assertThat(namespace.name()).isEqualTo("team-a");
    assertThat(namespace.namespace()).isEqualTo("team-a");

    RequestAttributes finalize = request("PUT", "/api/v1/namespaces/team-a/finalize");
    assertThat(finalize.subresource()).isEqualTo("finalize");
    assertThat(finalize.namespace()).isEqualTo("team-a");
    assertThat(request("GET", "/api/v1/namespaces").namespace()).isEmpty();
  }

  @Test
  void aListOrWatchOfOneNameNamesIt() {
    assertThat(request("GET", VMS + "?fieldSelector=metadata.name%3Dvm").name()).isEqualTo("vm");
    assertThat(request("GET", VMS + "?watch=true&fieldSelector=metadata.name%3D%3Dvm").name())
        .isEqualTo("vm");
    assertThat(request("GET", VMS + "?fieldSelector=metadata.name%21%3Dvm").name()).isEmpty();
    assertThat(request("GET", VMS + "?fieldSelector=not+a+selector").name()).isEmpty();
    assertThat(request("POST", VMS + "?fieldSelector=metadata.name%3Dvm").name()).isEmpty();
  }

  @Test
  void documentsAreNonResourceRequestsByPath() {
    for (String path :
        List.of(
            "/",
            "/version",
            "/api",
            "/api/v1",
            "/apis/era.dev",
            "/apis/era.dev/v1alpha1",
            "/openapi/v3/apis/era.dev/v1alpha1",
            "/healthz")) {
      RequestAttributes document = request("GET", path);
      assertThat(document.resourceRequest()).as(path).isFalse();
      assertThat(document.verb()).isEqualTo("get");
      assertThat(document.path()).isEqualTo(path);
      assertThat(document.resource()).isEmpty();
    }
    assertThat(request("POST", "/version").verb()).isEqualTo("post");
  }
}
