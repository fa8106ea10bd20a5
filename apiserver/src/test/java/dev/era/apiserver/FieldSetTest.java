package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldSetTest {
  private static final JsonNode FIELDS =
      Json.read(
          """
      {"f:metadata": {"f:labels": {".": {}, "f:team": {}}}, "f:spec": {"f:cpu": {}, "f:memory": {}}}""");

  @Test
  void readsAndWritesFieldsV1() {
    FieldSet set = FieldSet.fromFieldsV1(FIELDS);
    assertThat(set.toFieldsV1()).isEqualTo(FIELDS);
    assertThat(set.contains(List.of("f:metadata", "f:labels"))).as("a '.' member").isTrue();
    assertThat(set.contains(List.of("f:spec"))).as("only leads to members").isFalse();
    assertThat(set.members()).hasSize(4);
  }

  @Test
  void setOperations() {
    FieldSet set = FieldSet.fromFieldsV1(FIELDS);
    FieldSet cpu = FieldSet.of(List.of(List.of("f:spec", "f:cpu")));
    assertThat(set.difference(cpu).toFieldsV1())
        .isEqualTo(
            Json.read(
                """
        {"f:metadata": {"f:labels": {".": {}, "f:team": {}}}, "f:spec": {"f:memory": {}}}"""));
    assertThat(set.intersection(cpu)).isEqualTo(cpu);
    assertThat(cpu.union(FieldSet.of(List.of(List.of("f:kind")))).members())
        .containsExactly(List.of("f:kind"), List.of("f:spec", "f:cpu"));
    assertThat(set.recursiveDifference(FieldSet.of(List.of(List.of("f:metadata")))).toFieldsV1())
        .isEqualTo(Json.read("{\"f:spec\": {\"f:cpu\": {}, \"f:memory\": {}}}"));
    assertThat(set.difference(set).isEmpty()).isTrue();
  }

  @Test
  void describesPathsAsConflictsDo() {
    assertThat(FieldSet.describe(List.of("f:spec", "k:{\"name\":\"http\",\"port\":80}", "f:port")))
        .isEqualTo(".spec[name=\"http\",port=80].port");
    assertThat(FieldSet.describe(List.of("f:metadata", "f:finalizers", "v:\"era.dev/x\"")))
        .isEqualTo(".metadata.finalizers[=\"era.dev/x\"]");
  }
}
