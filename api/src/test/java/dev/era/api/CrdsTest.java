package dev.era.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import org.junit.jupiter.api.Test;

class CrdsTest {
  @Test
  void theJarCarriesTheCrdOfEveryKind() {
    assertThat(Crds.load())
        .as("crds/*.yml copied to era-crds/ by the build")
        .extracting(CustomResourceDefinition::getSpec)
        .extracting(s -> s.getGroup() + "/" + s.getNames().getKind() + "/" + s.getScope())
        .containsExactlyInAnyOrder(
            "era.dev/EraVM/Namespaced",
            "era.dev/EraRun/Namespaced",
            "era.dev/EraPool/Namespaced",
            "era.dev/EraNode/Cluster");
  }
}
