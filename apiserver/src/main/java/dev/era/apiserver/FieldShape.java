package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What server-side apply needs to know of one place in an object, read from a structural schema the
 * way the API server reads it: whether a map is a struct with named fields or a map of entries,
 * whether maps and lists are atomic (replaced whole) or granular, and the keys of {@code
 * x-kubernetes-list-type: map} lists. Where there is no schema the shape is deduced from the value:
 * maps granular, lists atomic. {@code metadata} is always {@code ObjectMeta}'s shape.
 */
final class FieldShape {
  private static final JsonNode BUILTIN = builtinSchemas();
  private static final FieldShape DEDUCED = new FieldShape(null);

  /** An OpenAPI v3 schema node; null where the shape is deduced. */
  private final JsonNode schema;

  private FieldShape(JsonNode schema) {
    this.schema = schema;
  }

  /**
   * The shape of a whole object of the resource: its CRD schema, or the built-in one, with
   * ObjectMeta.
   */
  static FieldShape of(ServedResource resource) {
    JsonNode schema =
        resource.isCustom()
            ? resource.schema()
            : BUILTIN.path("kinds").path(resource.groupVersion() + "/" + resource.kind());
    return root(schema.isMissingNode() ? null : schema);
  }

  /**
   * For a resource the catalog does not know, and in tests: a root shape with this schema (null:
   * deduced).
   */
  static FieldShape root(JsonNode schema) {
    ObjectNode root =
        schema == null
            ? Json.MAPPER.createObjectNode().put("x-kubernetes-preserve-unknown-fields", true)
            : schema.deepCopy();
    ObjectNode properties =
        root.has("properties") ? (ObjectNode) root.get("properties") : root.putObject("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.set("metadata", BUILTIN.path("objectMeta"));
    return new FieldShape(root);
  }

  /** The shape of the value under {@code name} in a map of this shape. */
  FieldShape field(String name) {
    if (schema == null) {
      return DEDUCED;
    }
    JsonNode property = schema.path("properties").get(name);
    if (property != null) {
      return new FieldShape(property);
    }
    JsonNode additional = schema.get("additionalProperties");
    return new FieldShape(additional != null && additional.isObject() ? additional : null);
  }

  /**
   * Whether {@code name} is a declared field of a struct, as opposed to an entry of a map: an entry
   * is always a member of a field set, a struct field only where it holds no fields itself.
   */
  boolean isNamedField(String name) {
    return schema != null && schema.path("properties").has(name);
  }

  FieldShape items() {
    return schema == null || !schema.has("items") ? DEDUCED : new FieldShape(schema.get("items"));
  }

  /** Whether a map of this shape merges entry by entry (else it is replaced whole). */
  boolean isGranularMap() {
    return schema == null || !"atomic".equals(schema.path("x-kubernetes-map-type").asText());
  }

  /**
   * Whether a list of this shape merges item by item: {@code set} and {@code map} lists; others are
   * atomic.
   */
  boolean isAssociativeList() {
    return schema != null
        && List.of("set", "map").contains(schema.path("x-kubernetes-list-type").asText());
  }

  /** The key fields of a {@code map} list; empty for a {@code set}. */
  List<String> listKeys() {
    List<String> keys = new ArrayList<>();
    if (schema != null) {
      schema.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
    }
    return keys;
  }

  /**
   * The fields the API server declares for ObjectMeta and the built-in kinds it serves, as far as
   * apply needs them (granular maps, sets, keyed lists); the rest of those objects is deduced.
   */
  private static JsonNode builtinSchemas() {
    try (InputStream in = FieldShape.class.getResourceAsStream("builtin-field-shapes.json")) {
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
