package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import org.junit.jupiter.api.Test;

class DiscoveryTest {
  private final Discovery discovery = new Discovery(EraCatalog.catalog());

  @Test
  void listsCustomResourcesWithNamesCategoriesAndStatusSubresources() {
    APIResourceList list = discovery.resources("era.dev", "v1alpha1").orElseThrow();
    assertThat(list.getGroupVersion()).isEqualTo("era.dev/v1alpha1");
    assertThat(list.getResources())
        .extracting(APIResource::getName)
        .containsExactlyInAnyOrder(
            "eravms",
            "eravms/status",
            "eraruns",
            "eraruns/status",
            "eranodes",
            "eranodes/status",
            "erapools",
            "erapools/status");
    APIResource vms = resource(list, "eravms");
    assertThat(vms.getKind()).isEqualTo("EraVM");
    assertThat(vms.getSingularName()).isEqualTo("eravm");
    assertThat(vms.getNamespaced()).isTrue();
    assertThat(vms.getShortNames()).containsExactly("evm");
    assertThat(vms.getCategories()).containsExactly("era");
    assertThat(vms.getVerbs()).contains("list", "watch", "patch");
    assertThat(resource(list, "eranodes").getNamespaced())
        .as("EraNode is cluster-scoped")
        .isFalse();
  }

  private static APIResource resource(APIResourceList list, String name) {
    return list.getResources().stream()
        .filter(r -> r.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void servesTheCoreResourcesTheSystemUses() {
    assertThat(discovery.resources("", "v1").orElseThrow().getResources())
        .extracting(APIResource::getName)
        .contains("namespaces", "configmaps", "secrets", "events");
    assertThat(discovery.coreVersions("127.0.0.1:1").getVersions()).containsExactly("v1");
  }

  @Test
  void listsGroupsWithTheirPreferredVersion() {
    assertThat(discovery.groups().getGroups())
        .extracting(g -> g.getName())
        .contains("apiextensions.k8s.io", "coordination.k8s.io", "events.k8s.io", "era.dev");
    assertThat(discovery.group("era.dev").orElseThrow().getPreferredVersion())
        .extracting(GroupVersionForDiscovery::getGroupVersion)
        .isEqualTo("era.dev/v1alpha1");
    assertThat(discovery.group("nope.example.com")).isEmpty();
    assertThat(discovery.resources("era.dev", "v9")).isEmpty();
  }
}
