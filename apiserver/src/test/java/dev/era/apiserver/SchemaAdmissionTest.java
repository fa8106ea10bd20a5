package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaAdmissionTest {
  private final SchemaAdmission vms = new SchemaAdmission(EraCatalog.resource("eravms").schema());
  private final SchemaAdmission runs = new SchemaAdmission(EraCatalog.resource("eraruns").schema());

  private static ObjectNode vm(String spec) {
    return Json.readObject(
        "{\"apiVersion\": \"era.dev/v1alpha1\", \"kind\": \"EraVM\","
            + " \"metadata\": {\"name\": \"vm\", \"labels\": {\"a\": \"b\"}}, \"spec\": "
            + spec
            + "}");
  }

  private static ObjectNode run(String spec) {
    return Json.readObject("{\"metadata\": {\"name\": \"r\"}, \"spec\": " + spec + "}");
  }

  @Test
  void acceptsAGoodObjectAndAppliesDefaults() {
    ObjectNode object = vm("{\"language\": \"node\", \"persist\": {\"size\": \"1Gi\"}}");
    SchemaAdmission.Result result = vms.admit(object);
    assertThat(result.errors()).isEmpty();
    assertThat(result.unknownFields()).isEmpty();
    assertThat(object.path("spec"))
        .isEqualTo(
            Json.read(
                """
        {"language": "node", "persist": {"size": "1Gi"}, "cpu": 1, "memory": "256Mi", "network": "none",
         "running": true}
        """));
    assertThat(object.path("metadata").path("labels").path("a").asText())
        .as("metadata untouched")
        .isEqualTo("b");
  }

  @Test
  void defaultsApplyInsideArrayItems() {
    ObjectNode run =
        run(
            "{\"vmName\": \"vm\", \"shell\": \"true\", \"files\": [{\"path\": \"a\", \"content\": \"x\"}]}");
    assertThat(runs.admit(run).errors()).isEmpty();
    assertThat(run.path("spec").path("files").path(0).path("mode").asInt()).isEqualTo(420);
    assertThat(run.path("spec").path("timeoutSeconds").asInt()).isEqualTo(300);
  }

  @Test
  void reportsEachViolationWithItsFieldPathInTheServersWords() {
    ObjectNode object =
        vm(
            """
        {"language": "cobol", "cpu": 0, "memory": "lots", "nodeName": "%s", "egressAllow": %s,
         "running": "yes", "persist": {}}
        """
                .formatted("n".repeat(254), Json.write(Collections.nCopies(65, "a.org"))));
    assertThat(vms.admit(object).errors())
        .extracting(FieldError::field, FieldError::reason, FieldError::message)
        .containsExactlyInAnyOrder(
            tuple(
                "spec.language",
                "FieldValueNotSupported",
                "Unsupported value: \"cobol\": supported values: \"node\", \"python\""),
            tuple(
                "spec.cpu",
                "FieldValueInvalid",
                "Invalid value: 0: spec.cpu in body should be greater than or equal to 1"),
            tuple(
                "spec.memory",
                "FieldValueInvalid",
                "Invalid value: \"lots\": spec.memory in body should match"
                    + " '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$'"),
            tuple("spec.nodeName", "FieldValueTooLong", "Too long: may not be longer than 253"),
            tuple(
                "spec.egressAllow",
                "FieldValueTooMany",
                "Too many: 65: must have at most 64 items"),
            tuple(
                "spec.running",
                "FieldValueTypeInvalid",
                "Invalid value: \"string\": spec.running in body must be of type boolean: \"string\""),
            tuple("spec.persist.size", "FieldValueRequired", "Required value"));
  }

  @Test
  void reportsMaximumRequiredMinLengthAndMinItemsInArrays() {
    ObjectNode run =
        run(
            """
        {"command": [], "shell": "", "timeoutSeconds": 90000, "files": [{"content": "x"}]}
        """);
    assertThat(runs.admit(run).errors())
        .extracting(FieldError::field, FieldError::message)
        .containsExactlyInAnyOrder(
            tuple("spec.vmName", "Required value"),
            tuple(
                "spec.command",
                "Invalid value: 0: spec.command in body should have at least 1 items"),
            tuple(
                "spec.shell",
                "Invalid value: \"\": spec.shell in body should be at least 1 chars long"),
            tuple(
                "spec.timeoutSeconds",
                "Invalid value: 90000: spec.timeoutSeconds in body should be less than or equal to 86400"),
            tuple("spec.files[0].path", "Required value"));
  }

  /** What ERA's CRD schema forbids, one rule at a time; api's validators report the same. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      {"language": "ruby"}                                       | spec.language
      {"cpu": 0}                                                 | spec.cpu
      {"cpu": 65}                                                | spec.cpu
      {"memory": "lots"}                                         | spec.memory
      {"memory": "1000000000000000000000000000000000Mi"}         | spec.memory
      {"network": "wifi"}                                        | spec.network
      {"network": "egress", "egressAllow": ["http://a.org"]}     | spec.egressAllow[0]
      {"network": "egress", "egressAllow": ["10.0.0.0/8/8"]}     | spec.egressAllow[0]
      {"persist": {}}                                            | spec.persist.size
      {"persist": {"size": "big"}}                               | spec.persist.size
      {"nodeName": "Bad_Node"}                                   | spec.nodeName
      {"ttl": {"idleSeconds": 0}}                                | spec.ttl.idleSeconds
      {"ttl": {"absoluteSeconds": 0}}                            | spec.ttl.absoluteSeconds
      {"ttl": {"idleSeconds": 5, "action": "Pause"}}             | spec.ttl.action
      """)
  void refusesEachVmRule(String spec, String field) {
    assertThat(vms.admit(vm(spec)).errors()).extracting(FieldError::field).containsExactly(field);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      {"shell": "ls"}                                                       | spec.vmName
      {"vmName": "Bad_VM", "shell": "ls"}                                   | spec.vmName
      {"vmName": "v", "shell": ""}                                          | spec.shell
      {"vmName": "v", "shell": "ls", "files": [{"path": "/etc/passwd", "content": "x"}]} | spec.files[0].path
      {"vmName": "v", "shell": "ls", "files": [{"path": "a/../../b", "content": "x"}]} | spec.files[0].path
      {"vmName": "v", "shell": "ls", "files": [{"content": "x"}]}           | spec.files[0].path
      {"vmName": "v", "shell": "ls", "files": [{"path": "a", "contentBase64": "***"}]} | spec.files[0].contentBase64
      {"vmName": "v", "shell": "ls", "files": [{"path": "a", "configMapRef": {"name": "c"}}]} | spec.files[0].configMapRef.key
      {"vmName": "v", "shell": "ls", "files": [{"path": "a", "secretRef": {"name": "s", "key": "k/1"}}]} | spec.files[0].secretRef.key
      {"vmName": "v", "shell": "ls", "files": [{"path": "a", "content": "x", "mode": 512}]} | spec.files[0].mode
      {"vmName": "v", "shell": "ls", "env": [{"name": "1X", "value": "y"}]} | spec.env[0].name
      {"vmName": "v", "shell": "ls", "env": [{"value": "y"}]}               | spec.env[0].name
      {"vmName": "v", "shell": "ls", "timeoutSeconds": 0}                   | spec.timeoutSeconds
      {"vmName": "v", "shell": "ls", "timeoutSeconds": 86401}               | spec.timeoutSeconds
      """)
  void refusesEachRunRule(String spec, String field) {
    assertThat(runs.admit(run(spec)).errors()).extracting(FieldError::field).containsExactly(field);
  }

  @Test
  void prunesUndeclaredFieldsAndReportsThem() {
    ObjectNode object = vm("{\"cpuu\": 2, \"persist\": {\"size\": \"1Gi\", \"sise\": \"2Gi\"}}");
    object.putObject("unknownTop").put("a", 1);
    SchemaAdmission.Result result = vms.admit(object);
    assertThat(result.unknownFields())
        .containsExactlyInAnyOrder("spec.cpuu", "spec.persist.sise", "unknownTop");
    assertThat(object.has("unknownTop")).isFalse();
    assertThat(object.path("spec").has("cpuu")).isFalse();
    assertThat(object.path("spec").path("persist")).isEqualTo(Json.read("{\"size\": \"1Gi\"}"));
  }

  @Test
  void keepsWhatPreserveUnknownFieldsAndAdditionalPropertiesDeclare() {
    SchemaAdmission admission =
        new SchemaAdmission(
            Json.read(
                """
        {"type": "object", "properties": {"spec": {"type": "object", "properties": {
          "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
          "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}}
        """));
    ObjectNode object =
        Json.readObject(
            """
        {"metadata": {"name": "x"}, "spec": {"extra": {"anything": {"goes": 1}}, "labels": {"x": "y"}, "no": 1}}
        """);
    assertThat(admission.admit(object).unknownFields()).containsExactly("spec.no");
    assertThat(object.path("spec").path("extra").path("anything").path("goes").asInt())
        .as("x-kubernetes-preserve-unknown-fields keeps what is below it")
        .isEqualTo(1);
    assertThat(object.path("spec").path("labels").path("x").asText())
        .as("additionalProperties declares map entries")
        .isEqualTo("y");
  }

  @Test
  void dropsNullsOfNonNullableFieldsBeforeDefaulting() {
    ObjectNode object = vm("{\"cpu\": null, \"nodeName\": null}");
    assertThat(vms.admit(object).errors()).isEmpty();
    assertThat(object.path("spec").path("cpu").asInt()).isEqualTo(1);
    assertThat(object.path("spec").has("nodeName")).isFalse();
  }

  @Test
  void checksTheObjectNameIsADnsSubdomain() {
    ObjectNode object = vm("{}");
    ((ObjectNode) object.get("metadata")).put("name", "Not_Valid");
    assertThat(vms.admit(object).errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.field()).isEqualTo("metadata.name");
              assertThat(e.message())
                  .startsWith("Invalid value: \"Not_Valid\": a lowercase RFC 1123 subdomain");
            });
  }
}
