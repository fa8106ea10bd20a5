package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An object's {@code metadata.managedFields}: which manager owns which fields, and the rules by
 * which writes change that, after the API server's field manager. An applier owns exactly what it
 * last applied; an update takes the fields it changed from whoever owned them; a field that goes
 * away is owned by nobody. Apply refuses to change a field another manager owns unless forced.
 */
final class ManagedFields {
  static final String APPLY = "Apply";
  static final String UPDATE = "Update";
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  /** Fields the server sets, which nobody owns. */
  private static final FieldSet SERVER_FIELDS =
      FieldSet.of(
          List.of(
              List.of("f:apiVersion"),
              List.of("f:kind"),
              List.of("f:metadata"),
              meta("name"),
              meta("namespace"),
              meta("creationTimestamp"),
              meta("selfLink"),
              meta("uid"),
              meta("clusterName"),
              meta("generation"),
              meta("managedFields"),
              meta("resourceVersion")));

  /**
   * Who writes, as the API server tells managers apart: an applier by name (and subresource), an
   * updater also by the API version it wrote with.
   */
  record Manager(String name, String operation, String apiVersion, String subresource) {
    String key() {
      return String.join(
          "\u0000",
          name,
          operation,
          Objects.toString(subresource, ""),
          operation.equals(APPLY) ? "" : apiVersion);
    }

    /** As conflicts name a manager: {@code "kubectl-edit" using era.dev/v1alpha1}. */
    String describe() {
      String text =
          Json.write(name)
              + (subresource == null ? "" : " with subresource " + Json.write(subresource));
      return operation.equals(UPDATE) ? text + " using " + apiVersion : text;
    }
  }

  /** A field owned by another manager that an apply would change. */
  record Conflict(Manager manager, List<String> path) {}

  private record Entry(Manager manager, String time, FieldSet fields) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private ManagedFields() {}

  /**
   * The name a write is recorded under: the request's {@code fieldManager}, else its User-Agent up
   * to the first {@code /} ({@code kubectl}, {@code fabric8-kubernetes-client}), as the API server
   * does.
   */
  static String managerName(String fieldManager, String userAgent) {
    if (fieldManager != null && !fieldManager.isEmpty()) {
      if (fieldManager.length() > 128) {
        throw ApiException.unprocessable("fieldManager: Too long: may not be longer than 128");
      }
      return fieldManager;
    }
    String agent = userAgent == null ? "" : userAgent.split("/", 2)[0].replaceAll("\\p{Cntrl}", "");
    return agent.length() > 128 ? agent.substring(0, 128) : agent;
  }

  /**
   * Reads an object's managed fields; entries that own nothing (a client's {@code [{}]}) are
   * dropped.
   */
  static ManagedFields of(JsonNode object) {
    ManagedFields managed = new ManagedFields();
    for (JsonNode entry : object.path("metadata").path("managedFields")) {
      FieldSet fields = FieldSet.fromFieldsV1(entry.path("fieldsV1"));
      if (!fields.isEmpty()) {
        Manager manager =
            new Manager(
                entry.path("manager").asText(""),
                entry.path("operation").asText(UPDATE),
                entry.path("apiVersion").asText(""),
                entry.path("subresource").asText(null));
        managed.entries.put(
            manager.key(), new Entry(manager, entry.path("time").asText(null), fields));
      }
    }
    return managed;
  }

  /** Whether the object carries a managedFields list with at least one entry, even an empty one. */
  static boolean isSet(JsonNode object) {
    return !object.path("metadata").path("managedFields").isEmpty();
  }

  /**
   * Writes the entries into {@code object}'s metadata in the API server's order (Apply first, then
   * by time).
   */
  void writeTo(ObjectNode object) {
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    if (entries.isEmpty()) {
      metadata.remove("managedFields");
      return;
    }
    ArrayNode list = metadata.putArray("managedFields");
    entries.values().stream()
        .sorted(
            Comparator.comparing((Entry e) -> e.manager().operation())
                .thenComparing(e -> Objects.toString(e.time(), ""))
                .thenComparing(e -> e.manager().name())
                .thenComparing(e -> e.manager().apiVersion())
                .thenComparing(e -> Objects.toString(e.manager().subresource(), "")))
        .forEach(
            e -> {
              ObjectNode entry =
                  list.addObject()
                      .put("manager", e.manager().name())
                      .put("operation", e.manager().operation())
                      .put("apiVersion", e.manager().apiVersion());
              if (e.time() != null) {
                entry.put("time", e.time());
              }
              entry.put("fieldsType", "FieldsV1").set("fieldsV1", e.fields().toFieldsV1());
              if (e.manager().subresource() != null) {
                entry.put("subresource", e.manager().subresource());
              }
            });
  }

  /** The fields {@code manager} owns; empty if it owns none. */
  FieldSet ownedBy(Manager manager) {
    Entry entry = entries.get(manager.key());
    return entry == null ? new FieldSet() : entry.fields();
  }

  /**
   * Records a write that is not an apply (create, update, patch): {@code manager} takes the fields
   * that changed from {@code before} (null on create) to {@code after} from whoever owned them.
   *
   * @param ignored fields the write cannot change (status on the main resource, spec on /status)
   */
  void update(
      JsonNode before,
      JsonNode after,
      Manager manager,
      FieldShape shape,
      FieldSet ignored,
      String now) {
    StructuredMerge.Comparison change =
        StructuredMerge.compare(withoutManagedFields(before), withoutManagedFields(after), shape)
            .excluding(ignored);
    release(change);
    FieldSet taken = change.changed().difference(change.removed()).difference(SERVER_FIELDS);
    if (!taken.isEmpty()) {
      entries.put(manager.key(), new Entry(manager, now, ownedBy(manager).union(taken)));
    }
    entries.values().removeIf(e -> e.fields().isEmpty());
  }

  /**
   * Applies {@code config} to {@code live} (null when the object does not exist yet) for {@code
   * manager} and returns the result: config merged in, then the fields the manager applied last
   * time but not now removed where no other manager owns them.
   *
   * @throws ApiException 409 naming each conflict, unless {@code force}
   */
  JsonNode apply(
      JsonNode live,
      JsonNode config,
      Manager manager,
      boolean force,
      FieldShape shape,
      FieldSet ignored,
      String now) {
    FieldSet applied =
        StructuredMerge.fieldSet(config, shape)
            .recursiveDifference(ignored)
            .difference(SERVER_FIELDS);
    Entry previous = entries.get(manager.key());
    JsonNode merged = StructuredMerge.merge(live, config, shape);
    if (previous != null) {
      FieldSet owned = applied;
      for (Entry e : entries.values()) {
        if (e != previous) {
          owned = owned.union(e.fields());
        }
      }
      StructuredMerge.removeItems(
          merged,
          StructuredMerge.withNamedFieldsAsMembers(previous.fields(), shape)
              .difference(StructuredMerge.withNamedFieldsAsMembers(owned, shape)),
          shape);
    }
    StructuredMerge.Comparison change =
        StructuredMerge.compare(withoutManagedFields(live), withoutManagedFields(merged), shape)
            .excluding(ignored);
    Map<String, FieldSet> conflicts = new LinkedHashMap<>();
    entries.forEach(
        (key, e) -> {
          FieldSet conflicting = e.fields().intersection(change.changed());
          if (!key.equals(manager.key()) && !conflicting.isEmpty()) {
            conflicts.put(key, conflicting);
          }
        });
    if (!force && !conflicts.isEmpty()) {
      refuseConflicts(
          conflicts,
          manager.name().equals("kubectl") ? clientSideApplied(live, shape) : new FieldSet());
    }
    release(change);
    boolean changed = !change.isEmpty();
    entries.put(
        manager.key(),
        new Entry(
            manager,
            changed || previous == null || previous.time() == null ? now : previous.time(),
            applied));
    entries.values().removeIf(e -> e.fields().isEmpty());
    return merged;
  }

  /**
   * Every manager loses the fields that went away and those the write changed (the writer takes
   * them).
   */
  private void release(StructuredMerge.Comparison change) {
    entries.replaceAll(
        (key, e) ->
            new Entry(
                e.manager(),
                e.time(),
                e.fields().difference(change.removed()).difference(change.changed())));
  }

  /**
   * Throws the conflicts, less those that {@code allowed} covers: fields that kubectl's client-side
   * apply last set to the values they still have, which {@code kubectl apply --server-side} may
   * take over without force, as on a real server.
   */
  private void refuseConflicts(Map<String, FieldSet> conflicts, FieldSet allowed) {
    List<Conflict> remaining = new ArrayList<>();
    conflicts.forEach(
        (key, fields) ->
            fields.members().stream()
                .filter(path -> !allowed.contains(path))
                .forEach(path -> remaining.add(new Conflict(entries.get(key).manager(), path))));
    if (!remaining.isEmpty()) {
      throw ApiException.applyConflict(remaining);
    }
  }

  private static FieldSet clientSideApplied(JsonNode live, FieldShape shape) {
    String annotation =
        live == null ? "" : live.path("metadata").path("annotations").path(LAST_APPLIED).asText("");
    if (annotation.isEmpty()) {
      return new FieldSet();
    }
    JsonNode lastApplied;
    try {
      lastApplied = Json.read(annotation);
    } catch (ApiException e) {
      return new FieldSet();
    }
    if (!lastApplied.path("apiVersion").equals(live.path("apiVersion"))) {
      return new FieldSet();
    }
    StructuredMerge.Comparison drift = StructuredMerge.compare(lastApplied, live, shape);
    return StructuredMerge.fieldSet(lastApplied, shape)
        .difference(drift.modified())
        .difference(drift.added())
        .difference(drift.removed());
  }

  private static JsonNode withoutManagedFields(JsonNode object) {
    if (object == null || !object.path("metadata").has("managedFields")) {
      return object;
    }
    ObjectNode copy = object.deepCopy();
    ((ObjectNode) copy.get("metadata")).remove("managedFields");
    return copy;
  }

  private static List<String> meta(String field) {
    return List.of("f:metadata", "f:" + field);
  }
}
