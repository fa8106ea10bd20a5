package dev.era.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * One client's watch of a {@link WatchableStore}: joins the store when the client's stream opens,
 * leaves it when the stream ends, and writes each event to the stream as a JSON watch event.
 */
final class StoreWatch extends WebSocketListener {
  private static final int NORMAL_CLOSURE = 1000;

  private final WatchableStore store;
  private final AttributeSet query;
  private final Long from;
  private volatile WebSocket socket;

  StoreWatch(WatchableStore store, AttributeSet query, Long from) {
    this.store = store;
    this.query = query;
    this.from = from;
  }

  /** The resourceVersion the client resumes after; null when it knows nothing yet. */
  Long from() {
    return from;
  }

  boolean matches(AttributeSet key) {
    return key.matches(query);
  }

  void send(String type, String state) {
    ObjectNode event = Json.MAPPER.createObjectNode().put("type", type);
    event.set("object", Json.read(state));
    socket.send(Json.write(event));
  }

  /** Tells the client its version is older than the store remembers, and ends the watch. */
  void expire(String message) {
    ObjectNode event = Json.MAPPER.createObjectNode().put("type", "ERROR");
    event
        .putObject("object")
        .put("kind", "Status")
        .put("apiVersion", "v1")
        .put("status", "Failure")
        .put("message", message)
        .put("reason", "Expired")
        .put("code", 410);
    socket.send(Json.write(event));
    socket.close(NORMAL_CLOSURE, message);
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    socket = webSocket;
    store.open(this);
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    store.close(this);
    webSocket.close(code, reason);
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    store.close(this);
    webSocket.close(code, reason);
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable error, Response response) {
    store.close(this);
    webSocket.close(NORMAL_CLOSURE, error.getMessage());
  }
}
