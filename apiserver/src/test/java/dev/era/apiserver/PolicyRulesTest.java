package dev.era.apiserver;

import static dev.era.apiserver.RequestAttributesTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import org.junit.jupiter.api.Test;

class PolicyRulesTest {
  private static final String VMS = "/apis/era.dev/v1alpha1/namespaces/ns/eravms";
  private static final String VM = VMS + "/vm";

  private static PolicyRule rule(String group, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(group)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  private static boolean covers(PolicyRule rule, String method, String path) {
    return PolicyRules.covers(rule, request(method, path));
  }

  @Test
  void verbsAreDistinct() {
    PolicyRule patchOnly = rule("era.dev", "eravms", "patch");
    assertThat(covers(patchOnly, "PATCH", VM)).isTrue();
    assertThat(covers(patchOnly, "PUT", VM)).as("update is not patch").isFalse();

    PolicyRule getOnly = rule("era.dev", "eravms", "get");
    assertThat(covers(getOnly, "GET", VM)).isTrue();
    assertThat(covers(getOnly, "GET", VMS)).as("list is not get").isFalse();
    assertThat(covers(getOnly, "GET", VMS + "?watch=true")).as("watch is not get").isFalse();
    assertThat(covers(rule("era.dev", "eravms", "list"), "GET", VMS + "?watch=true")).isFalse();
    assertThat(covers(rule("era.dev", "eravms", "delete"), "DELETE", VMS))
        .as("deletecollection")
        .isFalse();

    assertThat(covers(rule("era.dev", "eravms", "*"), "DELETE", VMS)).isTrue();
  }

  @Test
  void apiGroupsMatchExactlyOrByWildcard() {
    String coreEvents = "/api/v1/namespaces/ns/events";
    String eventsK8sIo = "/apis/events.k8s.io/v1/namespaces/ns/events";
    assertThat(createsEvents("", coreEvents)).isTrue();
    assertThat(createsEvents("", eventsK8sIo))
        .as("core events are not events.k8s.io events")
        .isFalse();
    assertThat(createsEvents("era.dev", coreEvents)).isFalse();
    assertThat(createsEvents("*", eventsK8sIo)).isTrue();
  }

  /** Whether a rule that lets this API group create events covers a POST to the path. */
  private static boolean createsEvents(String group, String path) {
    return covers(rule(group, "events", "create"), "POST", path);
  }

  @Test
  void subresourcesAreNamedOnTheirOwn() {
    assertThat(covers(rule("era.dev", "eravms", "update"), "PUT", VM + "/status")).isFalse();
    assertThat(covers(rule("era.dev", "eravms/status", "update"), "PUT", VM + "/status")).isTrue();
    assertThat(covers(rule("era.dev", "eravms/status", "update"), "PUT", VM)).isFalse();
    assertThat(covers(rule("era.dev", "eraruns/status", "update"), "PUT", VM + "/status"))
        .isFalse();

    PolicyRule anyStatus = rule("era.dev", "*/status", "update");
    assertThat(covers(anyStatus, "PUT", VM + "/status")).isTrue();
    assertThat(covers(anyStatus, "PUT", VM)).isFalse();
    assertThat(covers(anyStatus, "PUT", VM + "/scale")).isFalse();

    PolicyRule everything = rule("era.dev", "*", "update");
    assertThat(covers(everything, "PUT", VM)).isTrue();
    assertThat(covers(everything, "PUT", VM + "/status")).isTrue();
  }

  @Test
  void resourceNamesLimitARuleToThoseObjects() {
    PolicyRule onlyVm =
        new PolicyRuleBuilder(rule("era.dev", "eravms", "get", "list", "create", "delete"))
            .withResourceNames("vm")
            .build();

    assertThat(covers(onlyVm, "GET", VM)).isTrue();
    assertThat(covers(onlyVm, "GET", VMS + "/other")).isFalse();
    assertThat(covers(onlyVm, "GET", VMS)).as("a list names nothing").isFalse();
    assertThat(covers(onlyVm, "GET", VMS + "?fieldSelector=metadata.name%3Dvm")).isTrue();
    assertThat(covers(onlyVm, "POST", VMS)).as("a create names nothing").isFalse();
    assertThat(covers(onlyVm, "DELETE", VMS)).isFalse();
  }

  @Test
  void nonResourceUrlsMatchExactlyOrByPrefix() {
    PolicyRule discovery =
        new PolicyRuleBuilder()
            .withNonResourceURLs("/apis", "/apis/*", "/version")
            .withVerbs("get")
            .build();

    assertThat(covers(discovery, "GET", "/apis")).isTrue();
    assertThat(covers(discovery, "GET", "/apis/era.dev/v1alpha1")).isTrue();
    assertThat(covers(discovery, "GET", "/version")).isTrue();
    assertThat(covers(discovery, "GET", "/version/x")).isFalse();
    assertThat(covers(discovery, "GET", "/")).isFalse();
    assertThat(covers(discovery, "POST", "/apis")).isFalse();
    assertThat(covers(discovery, "GET", VMS)).as("URL rules cover no resources").isFalse();
    assertThat(
            covers(
                new PolicyRuleBuilder().withNonResourceURLs("*").withVerbs("*").build(),
                "GET",
                "/"))
        .isTrue();
  }

  @Test
  void resourceRulesCoverNoPaths() {
    assertThat(covers(rule("*", "*", "*"), "GET", "/version")).isFalse();
    assertThat(covers(rule("*", "*", "*"), "GET", VMS)).isTrue();
  }
}
