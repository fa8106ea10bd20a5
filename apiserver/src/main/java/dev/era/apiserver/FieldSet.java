package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of field paths, in the shape of server-side apply's {@code FieldsV1}: a tree whose edges
 * are path elements ({@code f:spec} a field, {@code k:{"name":"a"}} a list item by key, {@code
 * v:"a"} a set item, {@code i:0} an index) and whose nodes are members of the set or only lead to
 * members. {@code FieldsV1} writes a member that also leads further as a {@code "."} entry. Sets
 * are mutable while built; the set operations return new sets.
 */
final class FieldSet {
  private static final String SELF = ".";

  private boolean member;
  private final Map<String, FieldSet> children = new TreeMap<>();

  static FieldSet fromFieldsV1(JsonNode fields) {
    FieldSet set = new FieldSet();
    fields
        .properties()
        .forEach(
            field -> {
              if (field.getKey().equals(SELF)) {
                set.member = true;
              } else {
                FieldSet child = fromFieldsV1(field.getValue());
                if (field.getValue().isEmpty()) {
                  child.member = true;
                }
                set.children.put(field.getKey(), child);
              }
            });
    return set;
  }

  /**
   * Builds a set from paths, each a list of elements; for fixed sets such as the fields the server
   * owns.
   */
  static FieldSet of(List<List<String>> paths) {
    FieldSet set = new FieldSet();
    paths.forEach(set::insert);
    return set;
  }

  ObjectNode toFieldsV1() {
    ObjectNode fields = Json.MAPPER.createObjectNode();
    if (member && !children.isEmpty()) {
      fields.putObject(SELF);
    }
    children.forEach((element, child) -> fields.set(element, child.toFieldsV1()));
    return fields;
  }

  boolean isMember() {
    return member;
  }

  void setMember() {
    member = true;
  }

  /** The subtree under {@code element}, created if absent. */
  FieldSet child(String element) {
    return children.computeIfAbsent(element, e -> new FieldSet());
  }

  /** The subtree under {@code element}, or null. */
  FieldSet get(String element) {
    return children.get(element);
  }

  Map<String, FieldSet> children() {
    return children;
  }

  void insert(List<String> path) {
    FieldSet node = this;
    for (String element : path) {
      node = node.child(element);
    }
    node.member = true;
  }

  boolean contains(List<String> path) {
    FieldSet node = this;
    for (String element : path) {
      node = node.children.get(element);
      if (node == null) {
        return false;
      }
    }
    return node.member;
  }

  boolean isEmpty() {
    return !member && children.values().stream().allMatch(FieldSet::isEmpty);
  }

  FieldSet copy() {
    return union(new FieldSet());
  }

  FieldSet union(FieldSet other) {
    FieldSet result = new FieldSet();
    result.member = member || other.member;
    children.forEach(
        (e, c) -> result.children.put(e, c.union(other.children.getOrDefault(e, new FieldSet()))));
    other.children.forEach((e, c) -> result.children.computeIfAbsent(e, k -> c.copy()));
    return result.pruned();
  }

  /** The members of this set that are not members of {@code other}. */
  FieldSet difference(FieldSet other) {
    FieldSet result = new FieldSet();
    result.member = member && !other.member;
    children.forEach(
        (e, c) -> {
          FieldSet o = other.children.get(e);
          result.children.put(e, o == null ? c.copy() : c.difference(o));
        });
    return result.pruned();
  }

  FieldSet intersection(FieldSet other) {
    FieldSet result = new FieldSet();
    result.member = member && other.member;
    children.forEach(
        (e, c) -> {
          FieldSet o = other.children.get(e);
          if (o != null) {
            result.children.put(e, c.intersection(o));
          }
        });
    return result.pruned();
  }

  /** This set less every member of {@code other} and everything beneath it. */
  FieldSet recursiveDifference(FieldSet other) {
    if (other.member) {
      return new FieldSet();
    }
    FieldSet result = new FieldSet();
    result.member = member;
    children.forEach(
        (e, c) -> {
          FieldSet o = other.children.get(e);
          result.children.put(e, o == null ? c.copy() : c.recursiveDifference(o));
        });
    return result.pruned();
  }

  /** Every member's path, depth first in element order. */
  List<List<String>> members() {
    List<List<String>> paths = new ArrayList<>();
    collect(new ArrayList<>(), paths);
    return paths;
  }

  private void collect(List<String> prefix, List<List<String>> paths) {
    if (member) {
      paths.add(List.copyOf(prefix));
    }
    children.forEach(
        (e, c) -> {
          prefix.add(e);
          c.collect(prefix, paths);
          prefix.remove(prefix.size() - 1);
        });
  }

  private FieldSet pruned() {
    children.values().removeIf(FieldSet::isEmpty);
    return this;
  }

  /**
   * A path as the API server prints it in conflicts: {@code .spec.ports[name="http"].port}, {@code
   * [="a"]}.
   */
  static String describe(List<String> path) {
    StringBuilder text = new StringBuilder();
    for (String element : path) {
      String value = element.substring(2);
      switch (element.substring(0, 2)) {
        case "f:" -> text.append('.').append(value);
        case "v:" -> text.append("[=").append(value).append(']');
        case "i:" -> text.append('[').append(value).append(']');
        default -> {
          List<String> keys = new ArrayList<>();
          Json.read(value)
              .properties()
              .forEach(k -> keys.add(k.getKey() + "=" + Json.write(k.getValue())));
          text.append('[').append(String.join(",", keys)).append(']');
        }
      }
    }
    return text.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FieldSet set
        && set.toFieldsV1().equals(toFieldsV1())
        && set.member == member;
  }

  @Override
  public int hashCode() {
    return toFieldsV1().hashCode();
  }

  @Override
  public String toString() {
    return (member ? "." : "") + toFieldsV1();
  }
}
