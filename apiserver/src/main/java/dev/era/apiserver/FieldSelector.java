package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A field selector ({@code involvedObject.name=vm,type!=Normal}), parsed as the API server parses
 * it (commas, {@code =} and backslashes in values escaped with a backslash) and evaluated here on
 * lists, watches and collection deletes, on the fields the resource offers ({@link #fieldsOf}).
 */
record FieldSelector(List<FieldSelector.Requirement> requirements) {
  private static final Function<JsonNode, String> NAME =
      o -> o.path("metadata").path("name").asText("");
  private static final Function<JsonNode, String> NAMESPACE =
      o -> o.path("metadata").path("namespace").asText("");

  record Requirement(String field, boolean equal, String value) {}

  /** Parses a selector; null or blank selects everything. */
  static FieldSelector parse(String selector) {
    List<Requirement> requirements = new ArrayList<>();
    if (selector != null && !selector.isBlank()) {
      for (String term : splitUnescaped(selector, ',')) {
        requirements.add(requirement(selector, term));
      }
    }
    return new FieldSelector(List.copyOf(requirements));
  }

  /**
   * The fields a resource can be selected by, each with how to read it from an object: every kind
   * offers {@code metadata.name} and {@code metadata.namespace}; core Events, Secrets and
   * Namespaces offer the extra fields the API server gives them. Custom resources offer only the
   * metadata ones.
   */
  static Map<String, Function<JsonNode, String>> fieldsOf(String group, String plural) {
    Map<String, Function<JsonNode, String>> metadata =
        Map.of("metadata.name", NAME, "metadata.namespace", NAMESPACE);
    if (!group.isEmpty()) {
      return metadata;
    }
    return switch (plural) {
      case "events" ->
          withMetadata(
              metadata,
              Map.ofEntries(
                  Map.entry("involvedObject.kind", path("involvedObject", "kind")),
                  Map.entry("involvedObject.namespace", path("involvedObject", "namespace")),
                  Map.entry("involvedObject.name", path("involvedObject", "name")),
                  Map.entry("involvedObject.uid", path("involvedObject", "uid")),
                  Map.entry("involvedObject.apiVersion", path("involvedObject", "apiVersion")),
                  Map.entry(
                      "involvedObject.resourceVersion", path("involvedObject", "resourceVersion")),
                  Map.entry("involvedObject.fieldPath", path("involvedObject", "fieldPath")),
                  Map.entry("reason", path("reason")),
                  Map.entry("reportingComponent", path("reportingComponent")),
                  Map.entry("type", path("type")),
                  // The component that reported the event, or the controller where an events.k8s.io
                  // client wrote it.
                  Map.entry(
                      "source",
                      o ->
                          o.path("source")
                              .path("component")
                              .asText(o.path("reportingComponent").asText("")))));
      case "secrets" -> withMetadata(metadata, Map.of("type", path("type")));
      case "namespaces" -> withMetadata(metadata, Map.of("status.phase", path("status", "phase")));
      default -> metadata;
    };
  }

  /** Refuses, as the API server does, a field the resource cannot be selected by. */
  void check(Map<String, Function<JsonNode, String>> fields) {
    requirements.stream()
        .filter(r -> !fields.containsKey(r.field()))
        .findFirst()
        .ifPresent(
            r -> {
              throw ApiException.badRequest("field label not supported: " + r.field());
            });
  }

  boolean matches(JsonNode object, Map<String, Function<JsonNode, String>> fields) {
    return requirements.stream()
        .allMatch(r -> r.equal() == fields.get(r.field()).apply(object).equals(r.value()));
  }

  private static Requirement requirement(String selector, String term) {
    int operator = indexOfUnescaped(term, '=');
    if (operator > 0 && term.charAt(operator - 1) == '!') {
      return new Requirement(
          term.substring(0, operator - 1), false, unescape(term.substring(operator + 1)));
    }
    if (operator > 0) {
      int valueStart = term.startsWith("=", operator + 1) ? operator + 2 : operator + 1;
      return new Requirement(
          term.substring(0, operator), true, unescape(term.substring(valueStart)));
    }
    throw ApiException.badRequest(
        "invalid field selector \""
            + selector
            + "\": \""
            + term
            + "\" is not field=value, field==value or field!=value");
  }

  private static Map<String, Function<JsonNode, String>> withMetadata(
      Map<String, Function<JsonNode, String>> metadata,
      Map<String, Function<JsonNode, String>> specific) {
    Map<String, Function<JsonNode, String>> all = new HashMap<>(metadata);
    all.putAll(specific);
    return Map.copyOf(all);
  }

  private static Function<JsonNode, String> path(String... names) {
    return object -> {
      JsonNode node = object;
      for (String name : names) {
        node = node.path(name);
      }
      return node.isValueNode() ? node.asText() : "";
    };
  }

  private static List<String> splitUnescaped(String text, char separator) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = indexOfUnescaped(text, separator);
        i >= 0;
        i = indexOfUnescaped(text, separator, i + 1)) {
      parts.add(text.substring(start, i));
      start = i + 1;
    }
    parts.add(text.substring(start));
    return parts;
  }

  private static int indexOfUnescaped(String text, char wanted) {
    return indexOfUnescaped(text, wanted, 0);
  }

  private static int indexOfUnescaped(String text, char wanted, int from) {
    for (int i = from; i < text.length(); i++) {
      if (text.charAt(i) == '\\') {
        i++;
      } else if (text.charAt(i) == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static String unescape(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        c = value.charAt(++i);
      }
      out.append(c);
    }
    return out.toString();
  }
}
