package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.mockwebserver.http.HttpUrl;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy the embedded API server enforces: the bootstrap part it needs, and the chart's. */
class RbacPolicyTest {
  private static final RbacAuthorizer RBAC = new RbacAuthorizer(RbacPolicy.load());
  private static final UserInfo ERA =
      new UserInfo("era", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));
  private static final String VM = "/apis/era.dev/v1alpha1/namespaces/ns/eravms/vm";

  private static boolean allows(UserInfo user, String method, String path) {
    return RBAC.allows(
        RequestAttributes.of(user, method, HttpUrl.parse("https://127.0.0.1:6443" + path)));
  }

  @Test
  void theAdminMayDoAnything() {
    assertThat(allows(ERA, "DELETE", "/api/v1/namespaces/kube-system")).isTrue();
    assertThat(allows(ERA, "PATCH", VM + "/status")).isTrue();
    assertThat(allows(ERA, "GET", "/")).isTrue();
  }

  @Test
  void everyAuthenticatedUserMayReadDiscoveryOnly() {
    UserInfo nobody = new UserInfo("nobody", List.of(UserInfo.AUTHENTICATED));
    for (String path :
        List.of(
            "/api",
            "/api/v1",
            "/apis",
            "/apis/era.dev/v1alpha1",
            "/openapi/v3",
            "/version",
            "/healthz")) {
      assertThat(allows(nobody, "GET", path)).as(path).isTrue();
    }
    assertThat(allows(nobody, "GET", "/")).isFalse();
    assertThat(allows(nobody, "GET", VM)).isFalse();
  }

  @Test
  void theComponentsGetTheChartsRules() {
    UserInfo operator = Component.OPERATOR.user();
    UserInfo agent = Component.NODE_AGENT.user();

    assertThat(allows(operator, "PATCH", VM + "/status")).isTrue();
    assertThat(allows(operator, "PUT", VM + "/status")).as("status is patched").isFalse();
    assertThat(allows(operator, "GET", "/apis/era.dev/v1alpha1/eranodes?watch=true")).isTrue();
    assertThat(allows(operator, "POST", "/apis/era.dev/v1alpha1/eranodes")).isFalse();
    assertThat(allows(operator, "GET", "/api/v1/namespaces/ns/secrets/s")).isFalse();
    assertThat(allows(operator, "POST", "/apis/era.dev/v1alpha1/namespaces/ns/eraruns")).isFalse();

    assertThat(allows(agent, "PATCH", VM + "/status")).isTrue();
    assertThat(allows(agent, "PATCH", VM)).as("the operator owns the finalizer").isFalse();
    assertThat(allows(agent, "GET", "/api/v1/namespaces/default/secrets/s"))
        .as("in a namespace of nodeAgent.fileSourceNamespaces")
        .isTrue();
    assertThat(allows(agent, "GET", "/api/v1/namespaces/ns/secrets/s")).as("elsewhere").isFalse();
    assertThat(allows(agent, "GET", "/api/v1/namespaces/ns/secrets")).as("list secrets").isFalse();
    assertThat(allows(agent, "DELETE", VM)).isFalse();
    assertThat(allows(agent, "PUT", VM)).isFalse();
    assertThat(allows(agent, "PATCH", "/apis/era.dev/v1alpha1/eranodes/n"))
        .as("only its status")
        .isFalse();
    assertThat(allows(agent, "PATCH", "/apis/era.dev/v1alpha1/eranodes/n/status")).isTrue();
  }
}
