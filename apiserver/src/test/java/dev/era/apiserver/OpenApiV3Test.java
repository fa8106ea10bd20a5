package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class OpenApiV3Test {
  private final OpenApiV3 openApi = new OpenApiV3(EraCatalog.catalog());

  @Test
  void indexesEveryGroupVersionWithAContentHash() {
    JsonNode paths = openApi.index().path("paths");
    assertThat(paths.path("apis/era.dev/v1alpha1").path("serverRelativeURL").asText())
        .matches("/openapi/v3/apis/era\\.dev/v1alpha1\\?hash=[0-9A-F]{64}");
    assertThat(paths.has("api/v1")).isTrue();
  }

  @Test
  void declaresServerSideFieldValidationOnPatchForEachKind() {
    ObjectNode doc = openApi.document("apis/era.dev/v1alpha1").orElseThrow();
    JsonNode patch =
        doc.path("paths")
            .path("/apis/era.dev/v1alpha1/namespaces/{namespace}/eravms/{name}")
            .path("patch");
    assertThat(patch.path("x-kubernetes-group-version-kind"))
        .isEqualTo(
            Json.read("{\"group\": \"era.dev\", \"kind\": \"EraVM\", \"version\": \"v1alpha1\"}"));
    assertThat(patch.path("parameters").findValuesAsText("name")).contains("fieldValidation");
    assertThat(
            patch.path("requestBody").path("content").has("application/strategic-merge-patch+json"))
        .as("custom resources take no strategic merge patch")
        .isFalse();
    assertThat(doc.path("paths").has("/apis/era.dev/v1alpha1/eranodes/{name}/status")).isTrue();
  }

  @Test
  void carriesTheCrdSchemaUnderTheRealServersName() {
    JsonNode schema =
        openApi
            .document("apis/era.dev/v1alpha1")
            .orElseThrow()
            .path("components")
            .path("schemas")
            .path("dev.era.v1alpha1.EraVM");
    assertThat(
            schema
                .path("properties")
                .path("spec")
                .path("properties")
                .path("cpu")
                .path("maximum")
                .asInt())
        .isEqualTo(64);
    assertThat(schema.path("properties").path("metadata").path("$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assertThat(schema.path("x-kubernetes-group-version-kind").get(0).path("kind").asText())
        .isEqualTo("EraVM");
  }

  @Test
  void unknownGroupVersionsHaveNoDocument() {
    assertThat(openApi.document("apis/nope.example.com/v1")).isEmpty();
  }
}
