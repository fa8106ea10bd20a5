package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Saves every stored object with the resource it is stored under, and loads such a file into an
 * empty store. Objects keep their uid, timestamps, finalizers and status; resourceVersions are
 * handed out afresh on load (clients relist after a restart anyway).
 */
final class StateFile {
  private static final String KIND = "EmbeddedApiServerState";
  private static final int VERSION = 1;

  private StateFile() {}

  /** Writes the store to {@code file} atomically: a crash leaves the previous file intact. */
  static void save(KubernetesCrudDispatcher store, Path file) throws IOException {
    ObjectNode state = Json.MAPPER.createObjectNode().put("kind", KIND).put("version", VERSION);
    ArrayNode objects = state.putArray("objects");
    Map<AttributeSet, String> map = store.getMap();
    synchronized (map) {
      for (Map.Entry<AttributeSet, String> entry : map.entrySet()) {
        Attribute plural = entry.getKey().getAttribute(KubernetesAttributesExtractor.PLURAL);
        if (plural != null) {
          ObjectNode saved =
              objects.addObject().put("resource", plural.getValues().get(0).toString());
          saved.set("object", Json.read(entry.getValue()));
        }
      }
    }
    AtomicFile.write(file, f -> Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(f, state));
  }

  /** Loads a saved file into {@code store}, which must not be serving requests yet. */
  static void restore(KubernetesCrudDispatcher store, Path file) throws IOException {
    JsonNode state = Json.MAPPER.readTree(file.toFile());
    if (state == null
        || !KIND.equals(state.path("kind").asText())
        || state.path("version").asInt() != VERSION) {
      throw new IOException(
          file + " is not a saved state of the embedded API server (version " + VERSION + ")");
    }
    List<JsonNode> objects = new ArrayList<>();
    state.path("objects").forEach(objects::add);
    // CRDs first, so that the store knows their resources; then namespaces, then what lives in
    // them.
    objects.sort(Comparator.comparingInt(StateFile::loadOrder));
    for (JsonNode saved : objects) {
      ObjectNode object = (ObjectNode) saved.path("object");
      String path = pathOf(object, saved.path("resource").asText());
      ((ObjectNode) object.path("metadata"))
          .put("resourceVersion", String.valueOf(store.requestResourceVersion()));
      store.processEvent(path, store.getKey(path), null, null, Json.write(object));
    }
  }

  private static int loadOrder(JsonNode saved) {
    return switch (saved.path("resource").asText()) {
      case "customresourcedefinitions" -> 0;
      case "namespaces" -> 1;
      default -> 2;
    };
  }

  private static String pathOf(JsonNode object, String resource) {
    String apiVersion = object.path("apiVersion").asText();
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    JsonNode metadata = object.path("metadata");
    String namespace = metadata.path("namespace").asText(null);
    return new ResourcePath(
            group, version, namespace, resource, metadata.path("name").asText(), null)
        .toPath();
  }
}
