package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ApplyDefaultsStrategy;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * What the API server does to a custom resource before storing it, for one CRD version: prune
 * undeclared fields, apply schema defaults, and check the object against its {@code
 * openAPIV3Schema}, reporting violations per field in the server's wording. The schema checks
 * themselves are networknt's JSON Schema validator with the OpenAPI 3.0 dialect; only the
 * Kubernetes-specific parts (pruning, name rules, messages) are done here. CEL rules ({@code
 * x-kubernetes-validations}) are not evaluated.
 */
final class SchemaAdmission {
  /** The extensions structural schemas carry; they do not constrain values here. */
  private static final List<String> KUBERNETES_EXTENSIONS =
      List.of(
          "x-kubernetes-preserve-unknown-fields",
          "x-kubernetes-int-or-string",
          "x-kubernetes-embedded-resource",
          "x-kubernetes-list-type",
          "x-kubernetes-list-map-keys",
          "x-kubernetes-map-type",
          "x-kubernetes-validations");

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.builder()
          .defaultMetaSchemaIri(OpenApi30.getInstance().getIri())
          .metaSchema(
              JsonMetaSchema.builder(OpenApi30.getInstance())
                  .keywords(KUBERNETES_EXTENSIONS.stream().map(NonValidationKeyword::new).toList())
                  .build())
          .build();
  private static final SchemaValidatorsConfig DEFAULTING =
      SchemaValidatorsConfig.builder()
          .applyDefaultsStrategy(new ApplyDefaultsStrategy(true, false, false))
          .build();
  private static final SchemaValidatorsConfig VALIDATING =
      SchemaValidatorsConfig.builder()
          .pathType(PathType.JSON_POINTER)
          .nullableKeywordEnabled(true)
          .build();
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final JsonNode schema;
  private final JsonSchema defaulter;
  private final JsonSchema validator;

  SchemaAdmission(JsonNode openApiV3Schema) {
    this.schema = withoutMetadata(openApiV3Schema);
    this.defaulter = FACTORY.getSchema(schema, DEFAULTING);
    this.validator = FACTORY.getSchema(schema, VALIDATING);
  }

  /** The outcome for one object: the unknown fields that were dropped and what is invalid. */
  record Result(List<String> unknownFields, List<FieldError> errors) {}

  /** Drops the fields the schema does not declare, in place; returns their paths. */
  List<String> prune(ObjectNode object) {
    return FieldPruner.prune(object, schema);
  }

  /** Prunes and defaults {@code object} in place, then validates it. */
  Result admit(ObjectNode object) {
    List<String> unknown = FieldPruner.prune(object, schema);
    defaulter.walk(object, false);
    List<FieldError> errors = new ArrayList<>(nameErrors(object));
    validator.validate(object).stream()
        .sorted(Comparator.comparing(m -> m.getInstanceLocation().toString()))
        .map(this::toFieldError)
        .forEach(errors::add);
    return new Result(unknown, errors);
  }

  /** Metadata is the server's to check (below), not the schema's. */
  private static JsonNode withoutMetadata(JsonNode openApiV3Schema) {
    ObjectNode copy = openApiV3Schema.deepCopy();
    if (copy.path("properties").isObject()) {
      ((ObjectNode) copy.get("properties")).remove("metadata");
    }
    return copy;
  }

  /** Custom resource names are DNS subdomains. */
  private static List<FieldError> nameErrors(JsonNode object) {
    String name = object.path("metadata").path("name").asText("");
    if (name.isEmpty() || (name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches())) {
      return List.of();
    }
    return List.of(
        new FieldError(
            "metadata.name",
            "FieldValueInvalid",
            "Invalid value: "
                + Json.write(name)
                + ": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.',"
                + " and must start and end with an alphanumeric character (e.g. 'example.com', regex used for"
                + " validation is '"
                + DNS_SUBDOMAIN.pattern()
                + "')"));
  }

  /**
   * Words a schema violation the way the API server does, e.g. {@code spec.cpu: Invalid value: 0:
   * ...}.
   */
  FieldError toFieldError(ValidationMessage m) {
    String at = fieldPath(m.getInstanceLocation());
    JsonNode value = m.getInstanceNode();
    JsonNode keyword = m.getSchemaNode();
    return switch (m.getType()) {
      case "required" ->
          new FieldError(
              at.isEmpty() ? m.getProperty() : at + "." + m.getProperty(),
              "FieldValueRequired",
              "Required value");
      case "type" ->
          invalid(
              at,
              "FieldValueTypeInvalid",
              Json.write(m.getArguments()[0]),
              "must be of type " + m.getArguments()[1] + ": " + Json.write(m.getArguments()[0]));
      case "enum" ->
          new FieldError(
              at,
              "FieldValueNotSupported",
              "Unsupported value: "
                  + Json.write(value)
                  + ": supported values: "
                  + StreamSupport.stream(keyword.spliterator(), false)
                      .map(Json::write)
                      .collect(Collectors.joining(", ")));
      case "minimum" ->
          invalid(
              at,
              value,
              "should be greater than "
                  + (exclusive(m, "exclusiveMinimum") ? "" : "or equal to ")
                  + number(keyword));
      case "maximum" ->
          invalid(
              at,
              value,
              "should be less than "
                  + (exclusive(m, "exclusiveMaximum") ? "" : "or equal to ")
                  + number(keyword));
      case "pattern" -> invalid(at, value, "should match '" + keyword.asText() + "'");
      case "minLength" ->
          invalid(at, value, "should be at least " + keyword.asText() + " chars long");
      case "maxLength" ->
          new FieldError(
              at, "FieldValueTooLong", "Too long: may not be longer than " + keyword.asText());
      case "minItems" ->
          invalid(
              at,
              "FieldValueInvalid",
              String.valueOf(value.size()),
              "should have at least " + keyword.asText() + " items");
      case "maxItems" ->
          new FieldError(
              at,
              "FieldValueTooMany",
              "Too many: " + value.size() + ": must have at most " + keyword.asText() + " items");
      case "format" -> invalid(at, value, "must be of type " + m.getArguments()[0]);
      default -> new FieldError(at, "FieldValueInvalid", m.getMessage());
    };
  }

  /**
   * Whether the schema holding the violated keyword marks its bound exclusive (OpenAPI 3.0
   * booleans).
   */
  private boolean exclusive(ValidationMessage m, String keyword) {
    JsonNodePath keywordLocation = m.getSchemaLocation().getFragment();
    JsonNodePath owner = keywordLocation == null ? null : keywordLocation.getParent();
    if (owner == null) {
      return false;
    }
    StringBuilder pointer = new StringBuilder();
    for (int i = 0; i < owner.getNameCount(); i++) {
      pointer
          .append('/')
          .append(owner.getElement(i).toString().replace("~", "~0").replace("/", "~1"));
    }
    return schema.at(pointer.toString()).path(keyword).asBoolean();
  }

  /**
   * Bounds print as the CRD author wrote them: {@code 1}, not the {@code 1.0} a stored double would
   * give.
   */
  private static String number(JsonNode bound) {
    double value = bound.asDouble();
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? String.valueOf((long) value)
        : bound.asText();
  }

  private static FieldError invalid(String at, JsonNode value, String detail) {
    return invalid(at, "FieldValueInvalid", Json.write(value), detail);
  }

  private static FieldError invalid(String at, String reason, String shownValue, String detail) {
    return new FieldError(
        at, reason, "Invalid value: " + shownValue + ": " + at + " in body " + detail);
  }

  /** {@code /spec/files/0/path} → {@code spec.files[0].path}. */
  static String fieldPath(JsonNodePath location) {
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        path.append('[').append(index).append(']');
      } else {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(element);
      }
    }
    return path.toString();
  }
}
