package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operations of server-side apply on objects, after Kubernetes' structured-merge-diff: the set
 * of fields an object sets, merging an applied configuration into an object, comparing two objects
 * field by field, and removing fields. Granular maps and associative lists are walked entry by
 * entry; scalars and atomic maps and lists are leaves.
 */
final class StructuredMerge {
  private StructuredMerge() {}

  /**
   * What changed from one object to another: leaves changed in place, and fields added or removed.
   */
  record Comparison(FieldSet added, FieldSet removed, FieldSet modified) {
    Comparison excluding(FieldSet ignored) {
      return new Comparison(
          added.recursiveDifference(ignored),
          removed.recursiveDifference(ignored),
          modified.recursiveDifference(ignored));
    }

    FieldSet changed() {
      return modified.union(added);
    }

    boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && modified.isEmpty();
    }
  }

  /**
   * The fields {@code value} sets: its leaves, list items and map entries, and empty or null
   * fields.
   */
  static FieldSet fieldSet(JsonNode value, FieldShape shape) {
    FieldSet set = new FieldSet();
    if (isGranularMap(value, shape)) {
      value
          .properties()
          .forEach(
              field -> {
                JsonNode child = field.getValue();
                FieldSet childSet = fieldSet(child, shape.field(field.getKey()));
                if (child.isNull()
                    || (child.isObject() && child.isEmpty())
                    || !shape.isNamedField(field.getKey())) {
                  childSet.setMember();
                }
                set.children().put("f:" + field.getKey(), childSet);
              });
    } else if (isAssociativeList(value, shape)) {
      for (Map.Entry<String, JsonNode> item : items(value, shape).entrySet()) {
        FieldSet itemSet = fieldSet(item.getValue(), shape.items());
        itemSet.setMember();
        set.children().put(item.getKey(), itemSet);
      }
    } else {
      set.setMember();
    }
    return set;
  }

  /**
   * {@code config} merged into {@code live}: config wins at leaves, granular maps and lists merge.
   */
  static JsonNode merge(JsonNode live, JsonNode config, FieldShape shape) {
    if (live == null || live.isNull()) {
      return config.deepCopy();
    }
    if (isGranularMap(live, shape) && isGranularMap(config, shape)) {
      ObjectNode merged = live.deepCopy();
      config
          .properties()
          .forEach(
              f ->
                  merged.set(
                      f.getKey(),
                      merge(live.get(f.getKey()), f.getValue(), shape.field(f.getKey()))));
      return merged;
    }
    if (isAssociativeList(live, shape) && isAssociativeList(config, shape)) {
      Map<String, JsonNode> configItems = items(config, shape);
      ArrayNode merged = Json.MAPPER.createArrayNode();
      Map<String, JsonNode> liveItems = items(live, shape);
      liveItems.forEach(
          (element, item) ->
              merged.add(
                  configItems.containsKey(element)
                      ? merge(item, configItems.get(element), shape.items())
                      : item.deepCopy()));
      configItems.forEach(
          (element, item) -> {
            if (!liveItems.containsKey(element)) {
              merged.add(item.deepCopy());
            }
          });
      return merged;
    }
    return config.deepCopy();
  }

  /** Compares {@code before} with {@code after}; either may be null (absent). */
  static Comparison compare(JsonNode before, JsonNode after, FieldShape shape) {
    Comparison comparison = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
    compare(before, after, shape, new ArrayList<>(), comparison);
    return new Comparison(
        comparison.added().copy(), comparison.removed().copy(), comparison.modified().copy());
  }

  private static void compare(
      JsonNode before, JsonNode after, FieldShape shape, List<String> path, Comparison out) {
    if (before == null) {
      insertUnder(out.added(), path, fieldSet(after, shape));
    } else if (after == null) {
      insertUnder(out.removed(), path, fieldSet(before, shape));
    } else if (isGranularMap(before, shape) && isGranularMap(after, shape)) {
      Map<String, Boolean> names = new TreeMap<>();
      before.fieldNames().forEachRemaining(n -> names.put(n, true));
      after.fieldNames().forEachRemaining(n -> names.put(n, true));
      for (String name : names.keySet()) {
        path.add("f:" + name);
        compare(before.get(name), after.get(name), shape.field(name), path, out);
        path.remove(path.size() - 1);
      }
    } else if (isAssociativeList(before, shape) && isAssociativeList(after, shape)) {
      Map<String, JsonNode> beforeItems = items(before, shape);
      Map<String, JsonNode> afterItems = items(after, shape);
      Map<String, Boolean> elements = new TreeMap<>();
      beforeItems.keySet().forEach(e -> elements.put(e, true));
      afterItems.keySet().forEach(e -> elements.put(e, true));
      for (String element : elements.keySet()) {
        path.add(element);
        compare(beforeItems.get(element), afterItems.get(element), shape.items(), path, out);
        path.remove(path.size() - 1);
      }
    } else if (!before.equals(after)) {
      out.modified().insert(path);
    }
  }

  /** A field that appears or goes counts with everything in it; the field itself too. */
  private static void insertUnder(FieldSet target, List<String> path, FieldSet fields) {
    fields
        .members()
        .forEach(
            member -> {
              List<String> full = new ArrayList<>(path);
              full.addAll(member);
              target.insert(full);
            });
    if (!path.isEmpty()) {
      target.insert(path);
    }
  }

  /** Removes from {@code value}, in place, every member of {@code fields} with all it holds. */
  static void removeItems(JsonNode value, FieldSet fields, FieldShape shape) {
    if (isGranularMap(value, shape)) {
      ObjectNode object = (ObjectNode) value;
      for (String name : List.copyOf(names(object))) {
        FieldSet child = fields.get("f:" + name);
        if (child != null && child.isMember()) {
          object.remove(name);
        } else if (child != null) {
          removeItems(object.get(name), child, shape.field(name));
        }
      }
    } else if (isAssociativeList(value, shape)) {
      ArrayNode list = (ArrayNode) value;
      Map<String, JsonNode> items = items(list, shape);
      list.removeAll();
      items.forEach(
          (element, item) -> {
            FieldSet child = fields.get(element);
            if (child == null || !child.isMember()) {
              if (child != null) {
                removeItems(item, child, shape.items());
              }
              list.add(item);
            }
          });
    }
  }

  /**
   * {@code fields} with every declared struct field on its paths made a member, as the API server
   * does before pruning: owning {@code spec.cpu} then keeps {@code spec} too.
   */
  static FieldSet withNamedFieldsAsMembers(FieldSet fields, FieldShape shape) {
    FieldSet result = new FieldSet();
    if (fields.isMember()) {
      result.setMember();
    }
    fields
        .children()
        .forEach(
            (element, child) -> {
              boolean field = element.startsWith("f:");
              String name = element.substring(2);
              FieldSet converted =
                  withNamedFieldsAsMembers(child, field ? shape.field(name) : shape.items());
              if (field && shape.isNamedField(name)) {
                converted.setMember();
              }
              result.children().put(element, converted);
            });
    return result;
  }

  private static boolean isGranularMap(JsonNode value, FieldShape shape) {
    return value != null && value.isObject() && shape.isGranularMap();
  }

  private static boolean isAssociativeList(JsonNode value, FieldShape shape) {
    return value != null && value.isArray() && shape.isAssociativeList();
  }

  /**
   * The items of an associative list by path element, refusing duplicates as the API server does.
   */
  private static Map<String, JsonNode> items(JsonNode list, FieldShape shape) {
    Map<String, JsonNode> items = new LinkedHashMap<>();
    List<String> keys = shape.listKeys();
    for (JsonNode item : list) {
      String element =
          keys.isEmpty() ? "v:" + Json.write(item) : "k:" + Json.write(keyOf(item, keys));
      if (items.put(element, item) != null) {
        throw ApiException.unprocessable(
            "duplicate entries for key " + FieldSet.describe(List.of(element)));
      }
    }
    return items;
  }

  private static ObjectNode keyOf(JsonNode item, List<String> keys) {
    ObjectNode key = Json.MAPPER.createObjectNode();
    for (String name : new TreeSet<>(keys)) {
      if (!item.hasNonNull(name)) {
        throw ApiException.unprocessable(
            "an item of a list keyed by " + keys + " has no \"" + name + "\"");
      }
      key.set(name, item.get(name));
    }
    return key;
  }

  private static List<String> names(ObjectNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
