package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PatchesTest {
  private static final JsonNode CURRENT =
      Json.read(
          """
      {"metadata": {"name": "vm", "labels": {"a": "1", "b": "2"}}, "spec": {"cpu": 1, "egressAllow": ["x"]}}
      """);

  @Test
  void mergePatchFollowsRfc7386() {
    JsonNode patched =
        Patches.apply(
            CURRENT,
            "application/merge-patch+json",
            Json.read(
                "{\"metadata\": {\"labels\": {\"a\": null, \"c\": \"3\"}}, \"spec\": {\"egressAllow\": [\"y\"]}}"),
            true);
    assertThat(patched.path("metadata").path("labels"))
        .isEqualTo(Json.read("{\"b\": \"2\", \"c\": \"3\"}"));
    assertThat(patched.path("spec")).isEqualTo(Json.read("{\"cpu\": 1, \"egressAllow\": [\"y\"]}"));
    assertThat(CURRENT.path("metadata").path("labels").has("a"))
        .as("the current object is left alone")
        .isTrue();
  }

  @Test
  void appliesJsonPatch() {
    JsonNode patched =
        Patches.apply(
            CURRENT,
            "application/json-patch+json; charset=utf-8",
            Json.read("[{\"op\": \"replace\", \"path\": \"/spec/cpu\", \"value\": 4}]"),
            true);
    assertThat(patched.path("spec").path("cpu").asInt()).isEqualTo(4);
  }

  @Test
  void aJsonPatchThatDoesNotApplyIsUnprocessable() {
    assertThatThrownBy(
            () ->
                Patches.apply(
                    CURRENT,
                    "application/json-patch+json",
                    Json.read("[{\"op\": \"remove\", \"path\": \"/spec/missing\"}]"),
                    true))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422));
  }

  @Test
  void strategicMergePatchIsAMergePatchForBuiltInTypesOnly() {
    JsonNode patch = Json.read("{\"metadata\": {\"labels\": {\"a\": null}}}");
    assertThat(
            Patches.apply(CURRENT, "application/strategic-merge-patch+json", patch, false)
                .path("metadata")
                .path("labels")
                .has("a"))
        .isFalse();
    assertThatThrownBy(
            () -> Patches.apply(CURRENT, "application/strategic-merge-patch+json", patch, true))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
    assertThatThrownBy(
            () ->
                Patches.apply(
                    CURRENT,
                    "application/strategic-merge-patch+json",
                    Json.read("{\"$setElementOrder/items\": []}"),
                    false))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
  }

  @Test
  void refusesUnknownTypes() {
    assertThatThrownBy(() -> Patches.apply(CURRENT, null, Json.read("{}"), true))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
  }
}
