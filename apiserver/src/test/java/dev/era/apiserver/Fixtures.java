package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** The test CRDs under {@code embedded/crds}, shaped like the generated ones but stable for tests. */
final class Fixtures {
  static final String GROUP = "era.dev";
  static final String VERSION = "v1alpha1";
  private static final List<String> FILES = List.of("eravms.era.dev.yaml", "eraruns.era.dev.yaml",
      "eranodes.era.dev.yaml");

  private Fixtures() {}

  static Path crdDirectory() {
    try {
      return Path.of(Fixtures.class.getResource("/embedded/crds").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<CustomResourceDefinition> crds() {
    try {
      return CrdLoader.fromPath(crdDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A catalog serving the fixture CRDs. */
  static ResourceCatalog catalog() {
    ResourceCatalog catalog = new ResourceCatalog();
    catalog.useCustomResourceDefinitions(FILES.stream().map(Fixtures::crdJson).toList());
    return catalog;
  }

  static ServedResource resource(String plural) {
    return catalog().find(GROUP, VERSION, plural).orElseThrow();
  }

  private static JsonNode crdJson(String file) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/embedded/crds/" + file)) {
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
