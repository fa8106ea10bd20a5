package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Narrows one watch's events to the objects its selection matches, as the API server does: an
 * object that comes to match is {@code ADDED}, one that stops matching is {@code DELETED} (with its
 * last matching state), and objects that never match are not mentioned. Keeps the last state it
 * sent of each matching object; events arrive one at a time per watch.
 */
final class SelectedWatch implements UnaryOperator<ObjectNode> {
  private final Selection selection;
  private final Map<String, JsonNode> matching = new HashMap<>();

  SelectedWatch(Selection selection) {
    this.selection = selection;
  }

  /** The event to send instead of {@code event}, or null to send nothing. */
  @Override
  public ObjectNode apply(ObjectNode event) {
    JsonNode object = event.path("object");
    if (!object.isObject()) {
      return event;
    }
    JsonNode metadata = object.path("metadata");
    String key = metadata.path("namespace").asText("") + "/" + metadata.path("name").asText("");
    JsonNode previous = matching.get(key);
    boolean matches = selection.matches(object);
    if (event.path("type").asText().equals("DELETED")) {
      matching.remove(key);
      return previous != null || matches ? event : null;
    }
    if (matches) {
      matching.put(key, object);
      return event.put("type", previous == null ? "ADDED" : "MODIFIED");
    }
    if (previous != null) {
      matching.remove(key);
      return event.put("type", "DELETED").set("object", previous);
    }
    return null;
  }
}
