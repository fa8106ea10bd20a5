package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {
  private static final JsonNode EVENT = Json.read("""
      {"metadata": {"name": "e1", "namespace": "ns"}, "type": "Warning", "count": 2,
       "involvedObject": {"kind": "EraVM", "name": "vm", "namespace": "ns"}}
      """);

  @Test
  void matchesNestedFieldsWithEqualityAndInequality() {
    assertThat(FieldSelector.parse("involvedObject.name=vm,involvedObject.kind==EraVM").matches(EVENT)).isTrue();
    assertThat(FieldSelector.parse("involvedObject.name=other").matches(EVENT)).isFalse();
    assertThat(FieldSelector.parse("type!=Normal,count=2").matches(EVENT)).isTrue();
    assertThat(FieldSelector.parse("reason=").matches(EVENT)).as("a missing field is empty").isTrue();
    assertThat(FieldSelector.parse(null).matches(EVENT)).isTrue();
  }

  @Test
  void refusesWhatItCannotParse() {
    assertThatThrownBy(() -> FieldSelector.parse("involvedObject.name")).isInstanceOf(ApiException.class)
        .hasMessageContaining("not field=value");
  }

  @Test
  void watchesTakeOnlyWhatTheStoreSelectsOn() {
    assertThatCode(() -> FieldSelector.parse("metadata.name=vm,metadata.namespace!=x").requireStoreFields())
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> FieldSelector.parse("involvedObject.name=vm").requireStoreFields())
        .isInstanceOf(ApiException.class).hasMessageContaining("involvedObject.name");
  }
}
