package dev.era.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.mockwebserver.http.HttpUrl;
import java.util.Locale;

/**
 * The request side of server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}):
 * reading the applied configuration, the options it requires, and keeping kubectl's client-side
 * apply annotation in step. What apply does to the object and its owners is {@link ManagedFields}'.
 */
final class ServerSideApply {
  static final String CONTENT_TYPE = "application/apply-patch+yaml";
  private static final YAMLMapper YAML = new YAMLMapper();

  private ServerSideApply() {}

  static boolean isApply(String contentType) {
    return contentType != null
        && contentType.split(";")[0].trim().toLowerCase(Locale.ROOT).equals(CONTENT_TYPE);
  }

  /**
   * The applied configuration (YAML, or JSON, which is YAML too), checked against the URL: it must
   * name its apiVersion and kind, and may not name another object or carry managedFields.
   */
  static ObjectNode config(String body, ResourcePath path, ServedResource resource) {
    JsonNode config;
    try {
      config = YAML.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("error decoding YAML: " + e.getOriginalMessage());
    }
    if (config == null || !config.isObject()) {
      throw ApiException.badRequest("the applied configuration must be an object");
    }
    ObjectNode object = (ObjectNode) config;
    if (object.path("apiVersion").asText("").isEmpty()
        || object.path("kind").asText("").isEmpty()) {
      throw ApiException.badRequest("apiVersion and kind must be set in an applied configuration");
    }
    if (resource != null
        && (!object.path("apiVersion").asText().equals(resource.groupVersion())
            || !object.path("kind").asText().equals(resource.kind()))) {
      throw ApiException.badRequest(
          "the applied configuration is a "
              + object.path("apiVersion").asText()
              + " "
              + object.path("kind").asText()
              + ", not a "
              + resource.groupVersion()
              + " "
              + resource.kind());
    }
    JsonNode metadata = object.path("metadata");
    String name = metadata.path("name").asText("");
    ApiException.requireMatch(name, path.name(), "the name of the object", "the name on the URL");
    if (!metadata.path("managedFields").isMissingNode()
        && !metadata.path("managedFields").isNull()) {
      throw ApiException.badRequest(
          "metadata.managedFields must be nil in an applied configuration");
    }
    return object;
  }

  /** The applier's name, which apply requires; {@code force} only with apply. */
  static String fieldManager(HttpUrl url) {
    String manager = url.queryParameter("fieldManager");
    if (manager == null || manager.isEmpty()) {
      throw ApiException.unprocessable(
          "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is"
              + " required for apply patch");
    }
    return manager;
  }

  static boolean force(HttpUrl url) {
    return "true".equals(url.queryParameter("force"));
  }

  /** Refuses {@code force} on anything but apply, as the API server does. */
  static void checkNoForce(HttpUrl url) {
    if (url.queryParameter("force") != null) {
      throw ApiException.unprocessable(
          "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be"
              + " specified for non-apply patch");
    }
  }

  /**
   * As the API server does for {@code kubectl apply --server-side}: where the object still carries
   * kubectl's client-side apply annotation, it is brought up to date with what was applied, so that
   * a later client-side apply computes its patch from the right base.
   */
  static void keepLastAppliedInStep(
      String manager, JsonNode live, ObjectNode result, JsonNode config) {
    if (!manager.equals("kubectl")
        || live == null
        || !live.path("metadata").path("annotations").has(ManagedFields.LAST_APPLIED)) {
      return;
    }
    ObjectNode lastApplied = config.deepCopy();
    if (lastApplied.path("metadata").path("annotations").isObject()) {
      ((ObjectNode) lastApplied.get("metadata").get("annotations"))
          .remove(ManagedFields.LAST_APPLIED);
    }
    result
        .withObjectProperty("metadata")
        .withObjectProperty("annotations")
        .put(ManagedFields.LAST_APPLIED, Json.write(lastApplied));
  }
}
