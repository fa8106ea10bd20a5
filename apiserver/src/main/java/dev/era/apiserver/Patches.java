package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;

/**
 * Applies a PATCH body to the current object, so that the result can be validated like any other
 * write (server-side apply is {@link ServerSideApply}'s). JSON patch comes from zjsonpatch; JSON
 * merge patch is RFC 7386 (a few lines, below), which the CRUD mock gets wrong for {@code null} (it
 * stores the null instead of removing the field, and kubectl apply removes fields that way).
 */
final class Patches {
  private Patches() {}

  static JsonNode apply(
      JsonNode current, String contentType, JsonNode patch, boolean customResource) {
    String type =
        contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    return switch (type) {
      case "application/json-patch+json" -> jsonPatch(current, patch);
      case "application/merge-patch+json" -> mergePatch(current, patch);
      case "application/strategic-merge-patch+json" ->
          strategicAsMerge(current, patch, customResource);
      default ->
          throw ApiException.unsupportedMediaType(
              "the body of the request was in an unknown format - accepted"
                  + " media types include: application/json-patch+json, application/merge-patch+json,"
                  + " application/apply-patch+yaml");
    };
  }

  private static JsonNode jsonPatch(JsonNode current, JsonNode patch) {
    if (!patch.isArray()) {
      throw ApiException.badRequest("a JSON patch must be an array of operations");
    }
    try {
      // Removing a missing field is an error (RFC 6902), as on the real server.
      return JsonPatch.apply(
          patch, current, EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT));
    } catch (JsonPatchException e) {
      throw ApiException.unprocessable("the JSON patch could not be applied: " + e.getMessage());
    }
  }

  /** RFC 7386: objects merge recursively, null removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject() ? target.deepCopy() : Json.MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  /**
   * Custom resources refuse strategic merge patch, as on a real server. For built-in types a
   * strategic merge patch without directives ({@code $patch}, {@code $setElementOrder/...}) means
   * the same as a merge patch, which is what kubectl apply sends for ConfigMaps and Secrets.
   */
  private static JsonNode strategicAsMerge(
      JsonNode current, JsonNode patch, boolean customResource) {
    if (customResource) {
      throw ApiException.unsupportedMediaType(
          "strategic merge patch is not supported for custom resources");
    }
    if (hasDirective(patch)) {
      throw ApiException.unsupportedMediaType(
          "strategic merge patch directives are not supported by the embedded API server");
    }
    return mergePatch(current, patch);
  }

  private static boolean hasDirective(JsonNode node) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (field.getKey().startsWith("$") || hasDirective(field.getValue())) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (hasDirective(element)) {
          return true;
        }
      }
    }
    return false;
  }
}
