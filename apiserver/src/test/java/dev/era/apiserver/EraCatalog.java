package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.era.api.Crds;
import dev.era.api.Era;

/** ERA's own CRDs, from the api jar, in a catalog as the server serves them. */
final class EraCatalog {
  private EraCatalog() {}

  static ResourceCatalog catalog() {
    ResourceCatalog catalog = new ResourceCatalog();
    catalog.useCustomResourceDefinitions(Crds.load().stream().<JsonNode>map(Json::tree).toList());
    return catalog;
  }

  static ServedResource resource(String plural) {
    return catalog().find(Era.GROUP, Era.VERSION, plural).orElseThrow();
  }
}
