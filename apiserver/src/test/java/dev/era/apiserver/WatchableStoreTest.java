package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WatchableStoreTest {
  private static final String CONFIG_MAPS = "/api/v1/namespaces/ns/configmaps";

  private final WatchableStore store = new WatchableStore(3);

  @Test
  void aWatchFromAListsVersionHearsWhatChangedSinceAndNothingBefore() {
    put("old", "1");
    put("gone", "1");
    long listed = store.requestResourceVersion();
    put("old", "2");
    delete("gone");
    put("new", "1");

    Events events = watch(String.valueOf(listed));

    assertThat(events.lines()).containsExactly("MODIFIED old", "DELETED gone", "ADDED new");
    // The deletion has a version of its own, after everything before it.
    assertThat(events.versions()).isSorted().allMatch(v -> v > listed);
    put("later", "1");
    assertThat(events.lines()).endsWith("ADDED later");
  }

  @Test
  void aWatchWithoutAVersionHearsTheCurrentObjectsThenChanges() {
    put("a", "1");
    put("b", "1");
    delete("b");

    Events events = watch(null);
    put("a", "2");

    assertThat(events.lines()).containsExactly("ADDED a", "MODIFIED a");
  }

  @Test
  void aWatchSeesOnlyItsCollection() {
    Events events = watch(null);
    String otherNamespace = "/api/v1/namespaces/other/configmaps";
    store.processEvent(
        otherNamespace, store.getKey(otherNamespace), null, null, configMap("x", "other"));
    put("mine", "1");
    assertThat(events.lines()).containsExactly("ADDED mine");
  }

  @Test
  void aVersionOlderThanTheHistoryIsGone() {
    long start = store.requestResourceVersion();
    for (int i = 0; i < 4; i++) {
      put("cm-" + i, "1");
    }

    Events events = watch(String.valueOf(start));

    assertThat(events.sent).hasSize(1);
    JsonNode status = events.sent.get(0).path("object");
    assertThat(events.sent.get(0).path("type").asText()).isEqualTo("ERROR");
    assertThat(status.path("code").asInt()).isEqualTo(410);
    assertThat(status.path("reason").asText()).isEqualTo("Expired");
    assertThat(events.closed).isTrue();
    // The last three are still there to resume after.
    assertThat(watch(String.valueOf(start + 1)).lines())
        .containsExactly("ADDED cm-1", "ADDED cm-2", "ADDED cm-3");
  }

  @Test
  void aVersionThatIsNoNumberIsABadRequest() {
    assertThatThrownBy(() -> store.watch(CONFIG_MAPS, "yesterday"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
  }

  private void put(String name, String value) {
    String path = CONFIG_MAPS + "/" + name;
    var existing = store.findResource(store.getKey(path));
    ObjectNode object = Json.readObject(configMap(name, "ns"));
    object.with("metadata").put("resourceVersion", String.valueOf(store.requestResourceVersion()));
    object.putObject("data").put("v", value);
    store.processEvent(
        path,
        store.getKey(path),
        existing == null ? null : existing.getKey(),
        null,
        Json.write(object));
  }

  private void delete(String name) {
    String path = CONFIG_MAPS + "/" + name;
    store.processEvent(
        path, store.getKey(path), store.findResource(store.getKey(path)).getKey(), null, null);
  }

  private static String configMap(String name, String namespace) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
        + name
        + "\",\"namespace\":\""
        + namespace
        + "\"}}";
  }

  private Events watch(String resourceVersion) {
    StoreWatch watch =
        (StoreWatch) store.watch(CONFIG_MAPS, resourceVersion).getWebSocketListener();
    Events events = new Events();
    watch.onOpen(events, null);
    return events;
  }

  /** What a watch sent to its client. */
  private static final class Events implements WebSocket {
    final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    List<String> lines() {
      return sent.stream()
          .map(
              e ->
                  e.path("type").asText()
                      + " "
                      + e.path("object").path("metadata").path("name").asText())
          .toList();
    }

    List<Long> versions() {
      return sent.stream()
          .map(e -> e.path("object").path("metadata").path("resourceVersion").asLong())
          .toList();
    }

    @Override
    public RecordedRequest request() {
      return null;
    }

    @Override
    public boolean send(String text) {
      sent.add(Json.read(text));
      return true;
    }

    @Override
    public boolean send(byte[] bytes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean close(int code, String reason) {
      closed = true;
      return true;
    }
  }
}
