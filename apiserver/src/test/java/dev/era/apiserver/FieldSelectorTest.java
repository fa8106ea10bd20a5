package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {
  private static final JsonNode EVENT =
      Json.read(
          """
      {"metadata": {"name": "e1", "namespace": "ns"}, "type": "Warning", "count": 2, "reason": "a,b=c",
       "source": {"component": "era-operator"},
       "involvedObject": {"kind": "EraVM", "name": "vm", "namespace": "ns"}}
      """);
  private static final Map<String, Function<JsonNode, String>> EVENT_FIELDS =
      FieldSelector.fieldsOf("", "events");

  private static boolean selects(String selector) {
    return FieldSelector.parse(selector).matches(EVENT, EVENT_FIELDS);
  }

  @Test
  void matchesTheFieldsOfEventsWithEqualityAndInequality() {
    assertThat(selects("involvedObject.name=vm,involvedObject.kind==EraVM")).isTrue();
    assertThat(selects("involvedObject.name=other")).isFalse();
    assertThat(selects("type!=Normal,metadata.namespace=ns")).isTrue();
    assertThat(selects("source=era-operator")).isTrue();
    assertThat(selects("involvedObject.fieldPath=")).as("a missing field is empty").isTrue();
    assertThat(selects(null)).isTrue();
  }

  @Test
  void valuesMayEscapeCommasAndEqualSigns() {
    assertThat(FieldSelector.parse("reason=a\\,b\\=c").requirements())
        .containsExactly(new FieldSelector.Requirement("reason", true, "a,b=c"));
    assertThat(selects("reason=a\\,b\\=c")).isTrue();
  }

  @Test
  void refusesWhatItCannotParse() {
    assertThatThrownBy(() -> FieldSelector.parse("involvedObject.name"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("not field=value");
  }

  @Test
  void customResourcesOfferOnlyTheMetadataFields() {
    var fields = FieldSelector.fieldsOf("era.dev", "eravms");
    assertThatCode(
            () -> FieldSelector.parse("metadata.name=vm,metadata.namespace!=x").check(fields))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> FieldSelector.parse("spec.cpu=1").check(fields))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(400);
              assertThat(e.getMessage()).isEqualTo("field label not supported: spec.cpu");
            });
    assertThatCode(
            () -> FieldSelector.parse("type=Opaque").check(FieldSelector.fieldsOf("", "secrets")))
        .doesNotThrowAnyException();
  }
}
