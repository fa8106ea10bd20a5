package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class StructuredMergeTest {
  /** A struct spec with a keyed list, a set, an atomic list and a granular map. */
  private static final FieldShape SHAPE =
      FieldShape.root(
          Json.read(
              """
      {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "cpu": {"type": "integer"},
        "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
        "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
        "args": {"type": "array", "items": {"type": "string"}},
        "env": {"type": "object", "additionalProperties": {"type": "string"}},
        "resources": {"type": "object", "x-kubernetes-map-type": "atomic", "properties": {"cpu": {"type": "string"}}}
      }}}}"""));

  private static final JsonNode OBJECT =
      Json.read(
          """
      {"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a", "labels": {"team": "a"}},
       "spec": {"cpu": 1, "ports": [{"name": "http", "port": 80}], "tags": ["a"], "args": ["x"], "env": {"A": "1"},
                "resources": {"cpu": "1"}}}""");

  @Test
  void theFieldSetNamesLeavesItemsAndEntriesAsFieldsV1Does() {
    assertThat(StructuredMerge.fieldSet(OBJECT, SHAPE).toFieldsV1())
        .isEqualTo(
            Json.read(
                """
        {"f:apiVersion": {}, "f:kind": {},
         "f:metadata": {"f:labels": {"f:team": {}}, "f:name": {}},
         "f:spec": {"f:args": {}, "f:cpu": {}, "f:env": {"f:A": {}}, "f:ports": {"k:{\\"name\\":\\"http\\"}":
           {".": {}, "f:name": {}, "f:port": {}}}, "f:resources": {}, "f:tags": {"v:\\"a\\"": {}}}}"""));
  }

  @Test
  void mergeReplacesLeavesAndAtomicValuesAndMergesTheRest() {
    JsonNode config =
        Json.read(
            """
        {"spec": {"cpu": 2, "ports": [{"name": "grpc", "port": 90}], "tags": ["b"], "args": ["y"], "env": {"B": "2"},
                  "resources": {}}}""");
    JsonNode merged = StructuredMerge.merge(OBJECT, config, SHAPE);
    assertThat(merged.path("spec"))
        .isEqualTo(
            Json.read(
                """
        {"cpu": 2, "ports": [{"name": "http", "port": 80}, {"name": "grpc", "port": 90}], "tags": ["a", "b"],
         "args": ["y"], "env": {"A": "1", "B": "2"}, "resources": {}}"""));
    assertThat(merged.path("metadata")).isEqualTo(OBJECT.path("metadata"));
  }

  @Test
  void compareReportsChangedLeavesAndFieldsThatCameOrWent() {
    JsonNode after =
        Json.read(
            """
        {"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a", "labels": {"team": "a"}},
         "spec": {"cpu": 2, "ports": [{"name": "http", "port": 81}], "tags": ["a"], "args": ["x"], "env": {"B": "1"},
                  "resources": {"cpu": "1"}}}""");
    StructuredMerge.Comparison change = StructuredMerge.compare(OBJECT, after, SHAPE);
    assertThat(change.modified().toFieldsV1())
        .isEqualTo(
            Json.read(
                """
        {"f:spec": {"f:cpu": {}, "f:ports": {"k:{\\"name\\":\\"http\\"}": {"f:port": {}}}}}"""));
    assertThat(change.added().toFieldsV1())
        .isEqualTo(Json.read("{\"f:spec\": {\"f:env\": {\"f:B\": {}}}}"));
    assertThat(change.removed().toFieldsV1())
        .isEqualTo(Json.read("{\"f:spec\": {\"f:env\": {\"f:A\": {}}}}"));
    assertThat(StructuredMerge.compare(OBJECT, OBJECT.deepCopy(), SHAPE).isEmpty()).isTrue();
  }

  @Test
  void removeItemsTakesMembersWithAllTheyHold() {
    JsonNode object = OBJECT.deepCopy();
    StructuredMerge.removeItems(
        object,
        FieldSet.fromFieldsV1(
            Json.read(
                """
        {"f:spec": {"f:ports": {"k:{\\"name\\":\\"http\\"}": {}}, "f:env": {"f:A": {}}, "f:cpu": {}}}""")),
        SHAPE);
    assertThat(object.path("spec"))
        .isEqualTo(
            Json.read(
                """
        {"ports": [], "tags": ["a"], "args": ["x"], "env": {}, "resources": {"cpu": "1"}}"""));
  }

  @Test
  void namedFieldsOnAPathBecomeMembersButMapEntriesStayAsTheyAre() {
    FieldSet owned = FieldSet.fromFieldsV1(Json.read("{\"f:spec\": {\"f:env\": {\"f:A\": {}}}}"));
    assertThat(StructuredMerge.withNamedFieldsAsMembers(owned, SHAPE).members())
        .containsExactly(
            List.of("f:spec"), List.of("f:spec", "f:env"), List.of("f:spec", "f:env", "f:A"));
  }

  @Test
  void aKeyedListRefusesDuplicateKeys() {
    JsonNode duplicate =
        Json.read("{\"spec\": {\"ports\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}}");
    assertThatThrownBy(() -> StructuredMerge.fieldSet(duplicate, SHAPE))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.getMessage()).contains("[name=\"a\"]"));
  }
}
