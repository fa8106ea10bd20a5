package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CrdLoaderTest {
  @Test
  void readsEveryDocumentOfAStream() throws Exception {
    String yaml = """
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: as.example.com}
        spec: {group: example.com, names: {kind: A, plural: as}, scope: Namespaced, versions: []}
        ---
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: bs.example.com}
        spec: {group: example.com, names: {kind: B, plural: bs}, scope: Cluster, versions: []}
        """;
    assertThat(CrdLoader.fromYaml(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test"))
        .extracting(c -> c.getMetadata().getName())
        .containsExactly("as.example.com", "bs.example.com");
  }

  @Test
  void refusesDocumentsThatAreNotCrds() {
    String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
    assertThatThrownBy(() -> CrdLoader.fromYaml(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
        "x.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x.yaml")
        .hasMessageContaining("v1 ConfigMap");
  }

  @Test
  void readsADirectory() throws Exception {
    assertThat(CrdLoader.fromPath(Fixtures.crdDirectory())).extracting(c -> c.getSpec().getNames().getKind())
        .containsExactlyInAnyOrder("EraVM", "EraRun", "EraNode");
  }
}
