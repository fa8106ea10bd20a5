package dev.era.apiserver;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watch over HTTP (not a WebSocket), as client-go (kubectl) makes it: one chunked response
 * carrying a JSON watch event per line. The CRUD store delivers watch events to a {@link
 * WebSocket}; this adapter lets the same listener write them into the HTTP response instead.
 */
final class HttpWatchStream implements WebSocket {
  private final RecordedRequest request;
  private final HttpServerResponse response;
  private final AtomicBoolean closed = new AtomicBoolean();

  HttpWatchStream(RecordedRequest request, HttpServerResponse response) {
    this.request = request;
    this.response = response;
  }

  @Override
  public RecordedRequest request() {
    return request;
  }

  @Override
  public boolean send(String text) {
    if (closed.get()) {
      return false;
    }
    response.write(text + "\n");
    return true;
  }

  @Override
  public boolean send(byte[] bytes) {
    return send(new String(bytes, StandardCharsets.UTF_8));
  }

  /** Ends the response; the client's watch sees the end of the stream and starts a new one. */
  @Override
  public boolean close(int code, String reason) {
    if (closed.compareAndSet(false, true) && !response.ended() && !response.closed()) {
      response.end();
    }
    return true;
  }
}
