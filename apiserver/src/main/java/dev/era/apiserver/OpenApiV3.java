package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpenAPI v3 documents, one per group/version, built the way the real API server builds them:
 * custom resources with their CRD schemas, built-in types with an open schema (this server stores
 * them as sent). kubectl reads them to learn that the server checks fields itself ({@code
 * fieldValidation} on PATCH), so it sends manifests as they are and shows the server's answer
 * instead of validating against OpenAPI v2, which this server does not serve; {@code kubectl
 * explain} reads the schemas.
 */
final class OpenApiV3 {
  private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  private static final String OBJECT_META = META + "ObjectMeta";
  private static final String LIST_META = META + "ListMeta";
  private static final String STATUS = META + "Status";
  private static final String JSON = "application/json";

  private final ResourceCatalog catalog;

  OpenApiV3(ResourceCatalog catalog) {
    this.catalog = catalog;
  }

  /** {@code /openapi/v3}: one entry per group/version, with a content hash for client caches. */
  ObjectNode index() {
    ObjectNode paths = Json.MAPPER.createObjectNode();
    documents()
        .forEach(
            (gvPath, doc) ->
                paths
                    .putObject(gvPath)
                    .put("serverRelativeURL", "/openapi/v3/" + gvPath + "?hash=" + hash(doc)));
    ObjectNode index = Json.MAPPER.createObjectNode();
    index.set("paths", paths);
    return index;
  }

  /** {@code /openapi/v3/api/v1}, {@code /openapi/v3/apis/<group>/<version>}. */
  Optional<ObjectNode> document(String gvPath) {
    return Optional.ofNullable(documents().get(gvPath));
  }

  private Map<String, ObjectNode> documents() {
    Map<String, List<ServedResource>> byGroupVersion = new LinkedHashMap<>();
    catalog
        .all()
        .forEach(
            r ->
                byGroupVersion
                    .computeIfAbsent(prefix(r).substring(1), k -> new ArrayList<>())
                    .add(r));
    Map<String, ObjectNode> docs = new LinkedHashMap<>();
    byGroupVersion.forEach((gvPath, resources) -> docs.put(gvPath, document(resources)));
    return docs;
  }

  private static ObjectNode document(List<ServedResource> resources) {
    ObjectNode doc = Json.MAPPER.createObjectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes CRD Swagger").put("version", "v0.1.0");
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    for (ServedResource r : resources) {
      addPaths(paths, r);
      schemas.set(schemaName(r, r.kind()), kindSchema(r));
      schemas.set(schemaName(r, r.kind() + "List"), listSchema(r));
    }
    schemas.set(OBJECT_META, objectMetaSchema());
    schemas.set(LIST_META, listMetaSchema());
    schemas.set(
        STATUS,
        Json.MAPPER
            .createObjectNode()
            .put("type", "object")
            .put(
                "description",
                "Status is a return value for calls that don't return other objects."));
    return doc;
  }

  private static void addPaths(ObjectNode paths, ServedResource r) {
    String base = prefix(r) + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
    String kindRef = ref(schemaName(r, r.kind()));
    String listRef = ref(schemaName(r, r.kind() + "List"));

    ObjectNode collection = paths.putObject(base);
    collection.set("get", operation(r, "list", listRef, false));
    collection.set("post", operation(r, "post", kindRef, true));
    collection.set("delete", operation(r, "deletecollection", ref(STATUS), false));

    ObjectNode item = paths.putObject(base + "/{name}");
    item.set("get", operation(r, "get", kindRef, false));
    item.set("put", operation(r, "put", kindRef, true));
    item.set("patch", patchOperation(r, kindRef));
    item.set("delete", operation(r, "delete", ref(STATUS), false));

    if (r.statusSubresource()) {
      ObjectNode status = paths.putObject(base + "/{name}/status");
      status.set("get", operation(r, "get", kindRef, false));
      status.set("put", operation(r, "put", kindRef, true));
      status.set("patch", patchOperation(r, kindRef));
    }
    if (r.namespaced()) {
      paths
          .putObject(prefix(r) + "/" + r.plural())
          .set("get", operation(r, "list", listRef, false));
    }
  }

  private static ObjectNode operation(
      ServedResource r, String action, String responseRef, boolean writes) {
    ObjectNode op = Json.MAPPER.createObjectNode();
    op.put("operationId", action + r.kind());
    ArrayNode parameters = op.putArray("parameters");
    if (writes) {
      parameters.add(
          queryParameter(
              "fieldValidation",
              "How to treat fields the schema does not declare: Ignore, Warn (default) or Strict."));
      op.putObject("requestBody")
          .putObject("content")
          .putObject(JSON)
          .putObject("schema")
          .put("$ref", responseRef);
    }
    op.putObject("responses")
        .putObject("200")
        .put("description", "OK")
        .putObject("content")
        .putObject(JSON)
        .putObject("schema")
        .put("$ref", responseRef);
    op.put("x-kubernetes-action", action);
    op.set("x-kubernetes-group-version-kind", gvk(r, r.kind()));
    return op;
  }

  /** JSON patch and JSON merge patch only: like any custom resource, no strategic merge patch. */
  private static ObjectNode patchOperation(ServedResource r, String kindRef) {
    ObjectNode op = operation(r, "patch", kindRef, true);
    ObjectNode content = op.putObject("requestBody").putObject("content");
    content.putObject("application/json-patch+json").putObject("schema").put("type", "object");
    content.putObject("application/merge-patch+json").putObject("schema").put("type", "object");
    return op;
  }

  private static ObjectNode queryParameter(String name, String description) {
    ObjectNode parameter = Json.MAPPER.createObjectNode();
    parameter.put("name", name).put("in", "query").put("description", description);
    parameter.putObject("schema").put("type", "string").put("uniqueItems", true);
    return parameter;
  }

  /** {@code /api/v1} or {@code /apis/<group>/<version>}. */
  private static String prefix(ServedResource r) {
    return r.group().isEmpty() ? "/api/" + r.version() : "/apis/" + r.groupVersion();
  }

  private static ObjectNode kindSchema(ServedResource r) {
    ObjectNode schema =
        r.isCustom()
            ? r.schema().deepCopy()
            : Json.MAPPER
                .createObjectNode()
                .put("type", "object")
                .put("x-kubernetes-preserve-unknown-fields", true)
                .put(
                    "description",
                    "Stored as sent: the embedded API server checks built-in kinds against no schema.");
    ObjectNode properties =
        schema.has("properties")
            ? (ObjectNode) schema.get("properties")
            : schema.putObject("properties");
    properties
        .putObject("apiVersion")
        .put("type", "string")
        .put(
            "description",
            "APIVersion defines the versioned schema of this representation of an object.");
    properties
        .putObject("kind")
        .put("type", "string")
        .put(
            "description",
            "Kind is a string value representing the REST resource this object represents.");
    properties.putObject("metadata").put("$ref", ref(OBJECT_META));
    schema.putArray("x-kubernetes-group-version-kind").add(gvk(r, r.kind()));
    return schema;
  }

  private static ObjectNode listSchema(ServedResource r) {
    ObjectNode schema = Json.MAPPER.createObjectNode();
    schema.put("type", "object").put("description", "List of " + r.plural() + ".");
    schema.putArray("required").add("items");
    ObjectNode properties = schema.putObject("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties
        .putObject("items")
        .put("type", "array")
        .putObject("items")
        .put("$ref", ref(schemaName(r, r.kind())));
    properties.putObject("metadata").put("$ref", ref(LIST_META));
    schema.putArray("x-kubernetes-group-version-kind").add(gvk(r, r.kind() + "List"));
    return schema;
  }

  private static ObjectNode objectMetaSchema() {
    ObjectNode schema = Json.MAPPER.createObjectNode();
    schema.put("type", "object").put("description", "Standard object's metadata.");
    ObjectNode p = schema.putObject("properties");
    for (String name : List.of("name", "generateName", "namespace", "uid", "resourceVersion")) {
      p.putObject(name).put("type", "string");
    }
    p.putObject("generation").put("type", "integer").put("format", "int64");
    p.putObject("creationTimestamp").put("type", "string").put("format", "date-time");
    p.putObject("deletionTimestamp").put("type", "string").put("format", "date-time");
    p.putObject("labels")
        .put("type", "object")
        .putObject("additionalProperties")
        .put("type", "string");
    p.putObject("annotations")
        .put("type", "object")
        .putObject("additionalProperties")
        .put("type", "string");
    p.putObject("finalizers").put("type", "array").putObject("items").put("type", "string");
    return schema;
  }

  private static ObjectNode listMetaSchema() {
    ObjectNode schema = Json.MAPPER.createObjectNode();
    schema.put("type", "object");
    ObjectNode p = schema.putObject("properties");
    p.putObject("resourceVersion").put("type", "string");
    p.putObject("continue").put("type", "string");
    return schema;
  }

  private static ObjectNode gvk(ServedResource r, String kind) {
    ObjectNode gvk = Json.MAPPER.createObjectNode();
    gvk.put("group", r.group()).put("kind", kind).put("version", r.version());
    return gvk;
  }

  /**
   * Schema names as the real server writes them: {@code dev.era.v1alpha1.EraVM} for custom
   * resources (reversed group), {@code io.k8s.api.core.v1.ConfigMap} for built-in ones.
   */
  static String schemaName(ServedResource r, String kind) {
    if (!r.isCustom()) {
      String group = r.group().isEmpty() ? "core" : r.group().split("\\.")[0];
      return "io.k8s.api." + group + "." + r.version() + "." + kind;
    }
    List<String> parts = new ArrayList<>(List.of(r.group().split("\\.")));
    Collections.reverse(parts);
    return String.join(".", parts) + "." + r.version() + "." + kind;
  }

  private static String ref(String schemaName) {
    return "#/components/schemas/" + schemaName;
  }

  private static String hash(JsonNode doc) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(Json.write(doc).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
