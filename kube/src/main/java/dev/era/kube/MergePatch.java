package dev.era.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/** JSON merge patches (RFC 7386) computed as the difference of two documents. */
final class MergePatch {
  private MergePatch() {}

  /**
   * The merge patch that turns {@code before} into {@code after}: changed and added members, a null
   * for each removed one, objects patched member by member, anything else (lists) whole. Empty when
   * they are equal. A missing node counts as an empty object.
   */
  static ObjectNode diff(JsonNode before, JsonNode after) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    for (Iterator<String> names = before.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!after.hasNonNull(name) && !before.path(name).isNull()) {
        patch.putNull(name);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> members = after.fields(); members.hasNext(); ) {
      Map.Entry<String, JsonNode> member = members.next();
      JsonNode old = before.path(member.getKey());
      JsonNode now = member.getValue();
      if (now.isNull()) {
        continue;
      }
      if (now.isObject() && old.isObject()) {
        ObjectNode nested = diff(old, now);
        if (!nested.isEmpty()) {
          patch.set(member.getKey(), nested);
        }
      } else if (!now.equals(old)) {
        patch.set(member.getKey(), now);
      }
    }
    return patch;
  }

  /**
   * Whether the patch of {@code before} sets or removes a list somewhere: a merge patch replaces
   * lists whole.
   */
  static boolean touchesList(JsonNode patch, JsonNode before) {
    for (Iterator<Map.Entry<String, JsonNode>> members = patch.fields(); members.hasNext(); ) {
      Map.Entry<String, JsonNode> member = members.next();
      JsonNode old = before.path(member.getKey());
      if (member.getValue().isArray() || old.isArray() || touchesList(member.getValue(), old)) {
        return true;
      }
    }
    return false;
  }
}
