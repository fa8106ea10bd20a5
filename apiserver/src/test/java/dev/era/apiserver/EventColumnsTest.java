package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventColumnsTest {
  private static final Clock NOW =
      Clock.fixed(Instant.parse("2025-01-01T01:00:00Z"), ZoneOffset.UTC);
  private static final TableConverter EVENTS = TableConverter.of(EventColumns.all(), NOW);

  private static JsonNode cells(String event) {
    return EVENTS.toTable(List.of(Json.read(event)), "1", "None").path("rows").get(0).path("cells");
  }

  @Test
  void columnsAsKubectlGetEventsShowsThem() {
    ObjectNode table = EVENTS.toTable(List.of(), "1", null);
    assertThat(table.path("columnDefinitions"))
        .filteredOn(c -> c.path("priority").asInt() == 0)
        .extracting(c -> c.path("name").asText())
        .containsExactly("Last Seen", "Type", "Reason", "Object", "Message");
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly(
            "Last Seen",
            "Type",
            "Reason",
            "Object",
            "Subobject",
            "Source",
            "Message",
            "First Seen",
            "Count",
            "Name");
  }

  @Test
  void aCoreEventsRow() {
    assertThat(
            Json.write(
                cells(
                    """
        {"metadata": {"name": "vm.1"}, "type": "Warning", "reason": "Invalid", "message": " spec.cpu: too many \\n",
         "involvedObject": {"kind": "EraVM", "name": "vm", "fieldPath": "spec.cpu"},
         "source": {"component": "era-operator", "host": "n1"},
         "firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:58:00Z", "count": 3}""")))
        .isEqualTo(
            "[\"2m\",\"Warning\",\"Invalid\",\"eravm/vm\",\"spec.cpu\",\"era-operator, n1\","
                + "\"spec.cpu: too many\",\"60m\",3,\"vm.1\"]");
  }

  @Test
  void aNewStyleEventWithoutTimestampsOrCount() {
    JsonNode cells =
        cells(
            """
        {"metadata": {"name": "e"}, "type": "Normal", "reason": "Scheduled", "note": "placed",
         "regarding": {"kind": "EraVM", "name": "vm"}, "reportingController": "era.dev/operator",
         "eventTime": "2025-01-01T00:59:29.500000Z"}""");
    assertThat(cells.get(0).asText()).as("last seen falls back to the event time").isEqualTo("30s");
    assertThat(cells.get(3).asText()).isEqualTo("eravm/vm");
    assertThat(cells.get(5).asText()).isEqualTo("era.dev/operator");
    assertThat(cells.get(6).asText()).isEqualTo("placed");
    assertThat(cells.get(8).asLong()).as("a single event").isEqualTo(1);
  }
}
