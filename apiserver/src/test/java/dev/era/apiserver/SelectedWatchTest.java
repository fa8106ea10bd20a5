package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.HttpUrl;
import org.junit.jupiter.api.Test;

class SelectedWatchTest {
  private final SelectedWatch watch =
      new SelectedWatch(
          Selection.of(
              HttpUrl.parse(
                  "http://localhost/apis/era.dev/v1alpha1/eravms?labelSelector=team%20in%20(a,b)"),
              ResourcePath.parse("/apis/era.dev/v1alpha1/eravms").orElseThrow()));

  private static ObjectNode event(String type, String team, int version) {
    return Json.readObject(
        """
        {"type": "%s", "object": {"metadata": {"name": "vm", "namespace": "ns", "resourceVersion": "%d",
          "labels": {"team": "%s"}}}}"""
            .formatted(type, version, team));
  }

  private String seen(ObjectNode event) {
    ObjectNode sent = watch.apply(event);
    return sent == null
        ? "-"
        : sent.path("type").asText()
            + " "
            + sent.path("object").path("metadata").path("resourceVersion").asText();
  }

  @Test
  void objectsEnterAndLeaveTheSelectionAsAddedAndDeleted() {
    assertThat(seen(event("ADDED", "c", 1))).isEqualTo("-");
    assertThat(seen(event("MODIFIED", "a", 2))).as("comes to match").isEqualTo("ADDED 2");
    assertThat(seen(event("MODIFIED", "b", 3))).isEqualTo("MODIFIED 3");
    assertThat(seen(event("MODIFIED", "c", 4)))
        .as("stops matching: its last matching state")
        .isEqualTo("DELETED 3");
    assertThat(seen(event("DELETED", "c", 5))).isEqualTo("-");
  }

  @Test
  void aMatchingObjectsDeletionIsPassedOn() {
    assertThat(seen(event("ADDED", "a", 1))).isEqualTo("ADDED 1");
    assertThat(seen(event("DELETED", "a", 2))).isEqualTo("DELETED 2");
  }
}
