package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableConverterTest {
  private static final Clock NOW =
      Clock.fixed(Instant.parse("2025-01-01T01:00:00Z"), ZoneOffset.UTC);
  private static final JsonNode VM =
      Json.read(
          """
      {"apiVersion": "era.dev/v1alpha1", "kind": "EraVM",
       "metadata": {"name": "vm", "namespace": "ns", "creationTimestamp": "2025-01-01T00:55:30Z"},
       "spec": {"language": "python", "cpu": 2},
       "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}
      """);

  private static List<String> names(ObjectNode table) {
    return table.path("columnDefinitions").findValuesAsText("name");
  }

  @Test
  void evaluatesThePrinterColumnsPerObject() {
    ObjectNode table =
        new TableConverter(EraCatalog.resource("eravms").printerColumns(), NOW)
            .toTable(List.of(VM), "7", null);
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    assertThat(table.path("metadata").path("resourceVersion").asText()).isEqualTo("7");
    assertThat(names(table))
        .containsExactly("Name", "Phase", "Node", "Language", "CPU", "Memory", "Age");
    assertThat(Json.write(table.path("rows").get(0).path("cells")))
        .isEqualTo("[\"vm\",\"Running\",null,\"python\",2,null,\"4m30s\"]");
  }

  @Test
  void carriesEachColumnsPriority() {
    ObjectNode table =
        new TableConverter(EraCatalog.resource("eranodes").printerColumns(), NOW)
            .toTable(List.of(), "1", null);
    assertThat(table.path("columnDefinitions"))
        .filteredOn(c -> c.path("priority").asInt() == 1)
        .extracting(c -> c.path("name").asText())
        .as("only with -o wide")
        .containsExactly("CPU Capacity", "Memory Capacity");
  }

  @Test
  void addsAnAgeColumnOnlyWhenTheCrdDeclaresNoColumns() {
    assertThat(names(new TableConverter(List.of(), NOW).toTable(List.of(VM), "1", null)))
        .containsExactly("Name", "Age");
    PrinterColumn phase = new PrinterColumn("Phase", "string", "", "", 0, ".status.phase");
    assertThat(names(new TableConverter(List.of(phase), NOW).toTable(List.of(VM), "1", null)))
        .containsExactly("Name", "Phase");
  }

  @Test
  void embedsMetadataUnlessAskedOtherwise() {
    TableConverter converter = new TableConverter(List.of(), NOW);
    JsonNode partial = converter.toTable(List.of(VM), "1", null).path("rows").get(0).path("object");
    assertThat(partial.path("kind").asText()).isEqualTo("PartialObjectMetadata");
    assertThat(partial.path("metadata").path("namespace").asText()).isEqualTo("ns");
    assertThat(partial.has("spec")).isFalse();
    assertThat(converter.toTable(List.of(VM), "1", "Object").path("rows").get(0).path("object"))
        .isEqualTo(VM);
    assertThat(converter.toTable(List.of(VM), "1", "None").path("rows").get(0).has("object"))
        .isFalse();
  }

  @Test
  void typesCellsLikeTheApiServer() {
    Instant now = NOW.instant();
    assertThat(TableConverter.cell("integer", Json.read("\"2\""), now).isNull()).isTrue();
    assertThat(TableConverter.cell("integer", Json.read("3"), now).asLong()).isEqualTo(3);
    assertThat(TableConverter.cell("string", Json.read("3"), now).asText()).isEqualTo("3");
    assertThat(TableConverter.cell("string", Json.read("{\"a\": 1}"), now).asText())
        .isEqualTo("{\"a\":1}");
    assertThat(TableConverter.cell("boolean", Json.read("true"), now).asBoolean()).isTrue();
    assertThat(TableConverter.cell("date", Json.read("\"yesterday\""), now).asText())
        .isEqualTo("<invalid>");
    assertThat(TableConverter.cell("string", null, now).isNull()).isTrue();
  }
}
