package dev.era.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Rewrites the events of one of the store's watches before they are sent: narrowed to the watch's
 * selection ({@link SelectedWatch}) and, for {@code kubectl get -w}, which asks for tables on the
 * watch as on the list, turned into one-row tables. Wraps the store's watch listener and the socket
 * it writes to.
 */
final class RewrittenWatchListener extends WebSocketListener {
  private final WebSocketListener delegate;
  private final UnaryOperator<ObjectNode> rewrite;
  private volatile WebSocket rewritten;

  /** {@code rewrite} returns the event to send in place of the one given, or null to send none. */
  RewrittenWatchListener(WebSocketListener delegate, UnaryOperator<ObjectNode> rewrite) {
    this.delegate = delegate;
    this.rewrite = rewrite;
  }

  @Override
  public void onBeforeAccept(WebSocket webSocket, Response response) {
    delegate.onBeforeAccept(wrap(webSocket), response);
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    delegate.onOpen(wrap(webSocket), response);
  }

  @Override
  public void onMessage(WebSocket webSocket, String text) {
    delegate.onMessage(wrap(webSocket), text);
  }

  @Override
  public void onMessage(WebSocket webSocket, byte[] bytes) {
    delegate.onMessage(wrap(webSocket), bytes);
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    delegate.onClosing(wrap(webSocket), code, reason);
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    delegate.onClosed(wrap(webSocket), code, reason);
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable error, Response response) {
    delegate.onFailure(wrap(webSocket), error, response);
  }

  private synchronized WebSocket wrap(WebSocket webSocket) {
    if (rewritten == null) {
      rewritten =
          new WebSocket() {
            @Override
            public RecordedRequest request() {
              return webSocket.request();
            }

            @Override
            public boolean send(String text) {
              ObjectNode event = rewrite.apply(Json.readObject(text));
              return event == null || webSocket.send(Json.write(event));
            }

            @Override
            public boolean send(byte[] bytes) {
              return send(new String(bytes, StandardCharsets.UTF_8));
            }

            @Override
            public boolean close(int code, String reason) {
              return webSocket.close(code, reason);
            }
          };
    }
    return rewritten;
  }
}
