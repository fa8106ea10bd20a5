package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Answers {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io} the way the API server does:
 * for custom resources a Name column, then the CRD's printer columns evaluated per object, or an
 * Age column when the CRD declares none (the default the API server gives such a CRD); for kinds
 * the server prints itself, such as Events ({@link EventColumns}), that kind's columns.
 */
final class TableConverter {
  private static final String NAME_DESCRIPTION = "Name must be unique within a namespace.";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Column NAME =
      new Column(
          "Name",
          "string",
          "name",
          NAME_DESCRIPTION,
          0,
          (object, now) -> NODES.textNode(object.path("metadata").path("name").asText()));

  /** A column: its definition, and how to compute its cell for an object at a moment. */
  record Column(
      String name,
      String type,
      String format,
      String description,
      int priority,
      BiFunction<JsonNode, Instant, JsonNode> cell) {}

  private final List<Column> columns;
  private final Clock clock;

  TableConverter(List<PrinterColumn> printerColumns, Clock clock) {
    this(
        clock,
        Stream.concat(
                Stream.of(NAME),
                (printerColumns.isEmpty() ? List.of(PrinterColumn.age()) : printerColumns)
                    .stream().map(TableConverter::column))
            .toList());
  }

  private TableConverter(Clock clock, List<Column> columns) {
    this.columns = List.copyOf(columns);
    this.clock = clock;
  }

  /** A table of exactly these columns, for a kind the server prints itself. */
  static TableConverter of(List<Column> columns, Clock clock) {
    return new TableConverter(clock, columns);
  }

  private static Column column(PrinterColumn printer) {
    ColumnPath path = ColumnPath.compile(printer.jsonPath());
    return new Column(
        printer.name(),
        printer.type(),
        printer.format(),
        printer.description(),
        printer.priority(),
        (object, now) -> cell(printer.type(), path.evaluate(object), now));
  }

  /**
   * @param includeObject the request's {@code includeObject}: {@code None}, {@code Object}, or
   *     anything else for {@code Metadata} (the server's default)
   */
  ObjectNode toTable(List<JsonNode> objects, String resourceVersion, String includeObject) {
    ObjectNode table = NODES.objectNode();
    table.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", resourceVersion);
    ArrayNode definitions = table.putArray("columnDefinitions");
    columns.forEach(
        c ->
            definitions.add(
                definition(c.name(), c.type(), c.format(), c.description(), c.priority())));
    ArrayNode rows = table.putArray("rows");
    Instant now = clock.instant();
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      columns.forEach(c -> cells.add(c.cell().apply(object, now)));
      if (!"None".equals(includeObject)) {
        row.set("object", "Object".equals(includeObject) ? object : partialMetadata(object));
      }
    }
    return table;
  }

  /**
   * A cell as the API server types it; null (shown as {@code <none>}) where the value does not fit
   * the type.
   */
  static JsonNode cell(String type, JsonNode value, Instant now) {
    if (value == null) {
      return NODES.nullNode();
    }
    return switch (type) {
      case "string" -> NODES.textNode(value.isValueNode() ? value.asText() : Json.write(value));
      case "integer" ->
          value.isIntegralNumber()
                  || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble()))
              ? NODES.numberNode(value.asLong())
              : NODES.nullNode();
      case "number" -> value.isNumber() ? value : NODES.nullNode();
      case "boolean" -> value.isBoolean() ? value : NODES.nullNode();
      case "date" ->
          value.isTextual() ? NODES.textNode(age(value.asText(), now)) : NODES.nullNode();
      default -> NODES.nullNode();
    };
  }

  /**
   * How long ago {@code timestamp} was, as kubectl shows ages; {@code <invalid>} if it is no time.
   */
  static String age(String timestamp, Instant now) {
    try {
      return HumanDuration.of(Duration.between(Instant.parse(timestamp), now));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  private static ObjectNode definition(
      String name, String type, String format, String description, int priority) {
    ObjectNode definition = NODES.objectNode();
    definition
        .put("name", name)
        .put("type", type)
        .put("format", format)
        .put("description", description)
        .put("priority", priority);
    return definition;
  }

  private static ObjectNode partialMetadata(JsonNode object) {
    ObjectNode partial = NODES.objectNode();
    partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
    partial.set("metadata", object.path("metadata").deepCopy());
    return partial;
  }
}
