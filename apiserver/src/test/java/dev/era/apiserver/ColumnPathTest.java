package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ColumnPathTest {
  private static final JsonNode VM =
      Json.read(
          """
      {"metadata": {"name": "vm", "labels": {"era.dev/node": "n1"}},
       "spec": {"cpu": 2, "language": "python"},
       "status": {"conditions": [
         {"type": "Scheduled", "status": "True"},
         {"type": "Ready", "status": "False"}]}}
      """);

  @Test
  void translatesKubernetesNotationToJayway() {
    assertThat(ColumnPath.toJayway(".status.phase")).isEqualTo("$.status.phase");
    assertThat(ColumnPath.toJayway("{.status.phase}")).isEqualTo("$.status.phase");
    assertThat(ColumnPath.toJayway(".metadata.labels.era\\.dev/node"))
        .isEqualTo("$.metadata.labels['era.dev/node']");
    assertThat(ColumnPath.toJayway(".status.conditions[?(@.type==\"Ready\")].status"))
        .isEqualTo("$.status.conditions[?(@.type==\"Ready\")].status");
    assertThat(ColumnPath.toJayway(".items[0].name")).isEqualTo("$.items[0].name");
  }

  @Test
  void readsPlainFieldsWithTheirJsonType() {
    assertThat(ColumnPath.compile(".spec.language").evaluate(VM).asText()).isEqualTo("python");
    assertThat(ColumnPath.compile(".spec.cpu").evaluate(VM).isIntegralNumber()).isTrue();
  }

  @Test
  void aFilterYieldsTheFirstMatch() {
    assertThat(
            ColumnPath.compile(".status.conditions[?(@.type==\"Ready\")].status")
                .evaluate(VM)
                .asText())
        .isEqualTo("False");
    assertThat(ColumnPath.compile(".status.conditions[?(@.type==\"Gone\")].status").evaluate(VM))
        .isNull();
  }

  @Test
  void readsLabelsWithDotsAndSlashes() {
    assertThat(ColumnPath.compile(".metadata.labels.era\\.dev/node").evaluate(VM).asText())
        .isEqualTo("n1");
  }

  @Test
  void missingFieldsAreNull() {
    assertThat(ColumnPath.compile(".status.phase").evaluate(VM)).isNull();
    assertThat(ColumnPath.compile(".nothing.at.all").evaluate(VM)).isNull();
  }

  @Test
  void refusesPathsItCannotRead() {
    assertThatThrownBy(() -> ColumnPath.compile(".status.conditions[?(@.type==\"Ready\")"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
