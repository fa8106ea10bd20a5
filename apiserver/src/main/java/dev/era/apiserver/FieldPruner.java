package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Drops what a structural schema does not declare, as the API server does before storing a custom
 * resource: fields without a schema (unless {@code x-kubernetes-preserve-unknown-fields} or {@code
 * additionalProperties} keep them) and nulls in fields that are not {@code nullable}. The dropped
 * fields are returned so that {@code fieldValidation=Strict} can refuse them and {@code Warn} can
 * name them.
 */
final class FieldPruner {
  /** Top-level fields every object has; metadata is the server's, not the schema's. */
  private static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private FieldPruner() {}

  /**
   * Prunes {@code object} in place; returns the paths of dropped unknown fields, e.g. {@code
   * spec.foo}.
   */
  static List<String> prune(ObjectNode object, JsonNode schema) {
    List<String> unknown = new ArrayList<>();
    pruneObject(object, schema, "", true, unknown);
    return unknown;
  }

  private static void prune(JsonNode value, JsonNode schema, String path, List<String> unknown) {
    if (value.isObject()) {
      pruneObject(
          (ObjectNode) value,
          schema,
          path,
          schema.path("x-kubernetes-embedded-resource").asBoolean(),
          unknown);
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        prune(value.get(i), schema.get("items"), path + "[" + i + "]", unknown);
      }
    }
  }

  private static void pruneObject(
      ObjectNode object,
      JsonNode schema,
      String path,
      boolean hasObjectFields,
      List<String> unknown) {
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.get("additionalProperties");
    for (String name : fieldNames(object)) {
      if (hasObjectFields && OBJECT_FIELDS.contains(name)) {
        continue;
      }
      String childPath = path.isEmpty() ? name : path + "." + name;
      JsonNode childSchema = properties.get(name);
      if (childSchema == null && additional != null && additional.isObject()) {
        childSchema = additional;
      }
      if (childSchema == null) {
        boolean keep = preserve || (additional != null && additional.asBoolean(false));
        if (!keep) {
          unknown.add(childPath);
          object.remove(name);
        }
      } else if (object.get(name).isNull()) {
        if (!childSchema.path("nullable").asBoolean()) {
          object.remove(name);
        }
      } else {
        prune(object.get(name), childSchema, childPath, unknown);
      }
    }
  }

  private static List<String> fieldNames(ObjectNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
