package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The columns the API server prints Events with, as {@code kubectl get events} shows them: LAST
 * SEEN, TYPE, REASON, OBJECT, MESSAGE, and with {@code -o wide} SUBOBJECT, SOURCE, FIRST SEEN,
 * COUNT, NAME. Reads core/v1 Events and events.k8s.io/v1 ones (whose fields are named differently)
 * alike.
 */
final class EventColumns {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private EventColumns() {}

  static List<TableConverter.Column> all() {
    return List.of(
        column(
            "Last Seen",
            0,
            "The time at which the most recent occurrence of this event was recorded.",
            (event, now) -> NODES.textNode(lastSeen(event, now))),
        column(
            "Type",
            0,
            "Type of this event (Normal, Warning).",
            (event, now) -> text(event, "type")),
        column("Reason", 0, "Why the action was taken.", (event, now) -> text(event, "reason")),
        column(
            "Object",
            0,
            "The object this event is about.",
            (event, now) -> NODES.textNode(object(event))),
        column(
            "Subobject",
            1,
            "The part of the object this event is about.",
            (event, now) -> text(event, "involvedObject.fieldPath", "regarding.fieldPath")),
        column(
            "Source",
            1,
            "The component and host that reported this event.",
            (event, now) -> NODES.textNode(source(event))),
        column(
            "Message",
            0,
            "A human-readable description of this event.",
            (event, now) -> NODES.textNode(value(event, "message", "note").trim())),
        column(
            "First Seen",
            1,
            "The time at which this event was first recorded.",
            (event, now) -> NODES.textNode(firstSeen(event, now))),
        column(
            "Count",
            1,
            "The number of times this event has occurred.",
            (event, now) -> NODES.numberNode(count(event))),
        new TableConverter.Column(
            "Name",
            "string",
            "name",
            "Name must be unique within a namespace.",
            1,
            (event, now) -> NODES.textNode(event.path("metadata").path("name").asText())));
  }

  private static TableConverter.Column column(
      String name, int priority, String description, BiFunction<JsonNode, Instant, JsonNode> cell) {
    return new TableConverter.Column(name, "string", "", description, priority, cell);
  }

  private static String firstSeen(JsonNode event, Instant now) {
    String first = value(event, "firstTimestamp", "deprecatedFirstTimestamp");
    return since(first.isEmpty() ? value(event, "eventTime") : first, now);
  }

  private static String lastSeen(JsonNode event, Instant now) {
    String seriesLast = value(event, "series.lastObservedTime");
    if (!seriesLast.isEmpty()) {
      return since(seriesLast, now);
    }
    String last = value(event, "lastTimestamp", "deprecatedLastTimestamp");
    return last.isEmpty() ? firstSeen(event, now) : since(last, now);
  }

  private static long count(JsonNode event) {
    if (event.path("series").isObject()) {
      return event.path("series").path("count").asLong();
    }
    long count = Long.parseLong("0" + value(event, "count", "deprecatedCount"));
    return count == 0 ? 1 : count;
  }

  /** {@code kind/name} of the involved object, the kind in lower case. */
  private static String object(JsonNode event) {
    String kind = value(event, "involvedObject.kind", "regarding.kind").toLowerCase(Locale.ROOT);
    String name = value(event, "involvedObject.name", "regarding.name");
    return name.isEmpty() ? kind : kind + "/" + name;
  }

  private static String source(JsonNode event) {
    String component =
        value(event, "source.component", "deprecatedSource.component", "reportingController");
    String host = value(event, "source.host", "deprecatedSource.host", "reportingInstance");
    return host.isEmpty() ? component : component + ", " + host;
  }

  private static String since(String timestamp, Instant now) {
    return timestamp.isEmpty() ? "<unknown>" : TableConverter.age(timestamp, now);
  }

  private static JsonNode text(JsonNode event, String... paths) {
    return NODES.textNode(value(event, paths));
  }

  /** The first of the dotted paths that holds a value, as text; empty if none does. */
  private static String value(JsonNode event, String... paths) {
    for (String path : paths) {
      JsonNode node = event;
      for (String name : path.split("\\.")) {
        node = node.path(name);
      }
      if (node.isValueNode() && !node.asText().isEmpty()) {
        return node.asText();
      }
    }
    return "";
  }
}
