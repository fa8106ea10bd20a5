package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A field selector ({@code involvedObject.name=vm,type!=Normal}), evaluated here on lists: the
 * CRUD store knows only {@code metadata.name} and {@code metadata.namespace}, and
 * {@code kubectl describe} finds an object's events with {@code involvedObject.*} selectors.
 * Watches go to the store, so they take only the metadata fields.
 */
record FieldSelector(List<FieldSelector.Requirement> requirements) {
  private static final Pattern REQUIREMENT = Pattern.compile("([A-Za-z0-9_.-]+)(==|!=|=)(.*)");
  private static final Set<String> STORE_FIELDS = Set.of("metadata.name", "metadata.namespace");

  record Requirement(String field, boolean equal, String value) {
    boolean matches(JsonNode object) {
      JsonNode node = object;
      for (String name : field.split("\\.")) {
        node = node.path(name);
      }
      String actual = node.isValueNode() ? node.asText() : "";
      return equal == actual.equals(value);
    }
  }

  /** Parses a selector; null or blank selects everything. */
  static FieldSelector parse(String selector) {
    List<Requirement> requirements = new ArrayList<>();
    if (selector != null && !selector.isBlank()) {
      for (String term : selector.split(",")) {
        Matcher m = REQUIREMENT.matcher(term);
        if (!m.matches()) {
          throw ApiException.badRequest("invalid field selector \"" + selector + "\": \"" + term
              + "\" is not field=value, field==value or field!=value");
        }
        requirements.add(new Requirement(m.group(1), !m.group(2).equals("!="), m.group(3)));
      }
    }
    return new FieldSelector(List.copyOf(requirements));
  }

  boolean matches(JsonNode object) {
    return requirements.stream().allMatch(r -> r.matches(object));
  }

  /** Refuses what a watch cannot select on, rather than watching everything. */
  void requireStoreFields() {
    requirements.stream().filter(r -> !STORE_FIELDS.contains(r.field())).findFirst().ifPresent(r -> {
      throw ApiException.badRequest("field label not supported for watches: " + r.field()
          + " (only metadata.name and metadata.namespace)");
    });
  }
}
