package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourcePathTest {
  @Test
  void parsesNamespacedCustomResources() {
    assertThat(ResourcePath.parse("/apis/era.dev/v1alpha1/namespaces/ns/eravms/vm/status"))
        .contains(new ResourcePath("era.dev", "v1alpha1", "ns", "eravms", "vm", "status"));
    assertThat(ResourcePath.parse("/apis/era.dev/v1alpha1/namespaces/ns/eravms"))
        .contains(new ResourcePath("era.dev", "v1alpha1", "ns", "eravms", null, null));
    assertThat(ResourcePath.parse("/apis/era.dev/v1alpha1/eravms"))
        .contains(new ResourcePath("era.dev", "v1alpha1", null, "eravms", null, null));
  }

  @Test
  void tellsNamespacesFromResourcesInThem() {
    assertThat(ResourcePath.parse("/api/v1/namespaces/ns"))
        .contains(new ResourcePath("", "v1", null, "namespaces", "ns", null));
    assertThat(ResourcePath.parse("/api/v1/namespaces/ns/status"))
        .contains(new ResourcePath("", "v1", null, "namespaces", "ns", "status"));
    assertThat(ResourcePath.parse("/api/v1/namespaces/ns/configmaps/c"))
        .contains(new ResourcePath("", "v1", "ns", "configmaps", "c", null));
  }

  @Test
  void rejectsWhatIsNotAResource() {
    assertThat(ResourcePath.parse("/apis/era.dev/v1alpha1")).isEmpty();
    assertThat(ResourcePath.parse("/api/v1")).isEmpty();
    assertThat(ResourcePath.parse("/openapi/v3")).isEmpty();
    assertThat(ResourcePath.parse("/api/v1/namespaces/ns/configmaps/c/status/extra")).isEmpty();
  }

  @Test
  void buildsPathsAndNames() {
    ResourcePath path = new ResourcePath("era.dev", "v1alpha1", "ns", "eravms", "vm", "status");
    assertThat(path.toPath()).isEqualTo("/apis/era.dev/v1alpha1/namespaces/ns/eravms/vm/status");
    assertThat(path.groupResource()).isEqualTo("eravms.era.dev");
    assertThat(new ResourcePath("", "v1", null, "namespaces", null, null).toPath())
        .isEqualTo("/api/v1/namespaces");
  }
}
