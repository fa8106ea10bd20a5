package dev.era.apiserver;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.KeyCertOptions;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The HTTPS side: a Vert.x server on a loopback address that hands requests to the dispatcher,
 * using the mock web server's request handler for everything except watches over HTTP (not a
 * WebSocket), which it streams itself. It stands in for {@code MockWebServer}, which cannot stream
 * a watch to kubectl and keeps every request it ever received in memory (fine for a test, not for a
 * daemon).
 */
final class ApiHttpServer implements AutoCloseable {
  private static final int WATCH_CLOSED = 1000;
  private static final long DEFAULT_WATCH_TIMEOUT_SECONDS = 1800;

  private final Vertx vertx;
  private final HttpServer server;

  private ApiHttpServer(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** Listens on {@code host:port} (port 0 picks a free one) with TLS until closed. */
  static ApiHttpServer start(String host, int port, KeyCertOptions tls, Dispatcher dispatcher) {
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(2)
                .setFileSystemOptions(
                    new FileSystemOptions()
                        .setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false)));
    try {
      HttpServer server =
          vertx.createHttpServer(
              new HttpServerOptions()
                  .setHost(host)
                  .setPort(port)
                  .setSsl(true)
                  .setKeyCertOptions(tls)
                  .setHandle100ContinueAutomatically(true)
                  .setWebSocketSubProtocols(
                      List.of(
                          "v4.channel.k8s.io",
                          "v3.channel.k8s.io",
                          "v2.channel.k8s.io",
                          "v1.channel.k8s.io")));
      HttpServerRequestHandler standard =
          new HttpServerRequestHandler(vertx) {
            @Override
            protected MockResponse onHttpRequest(RecordedRequest request) {
              return dispatcher.dispatch(request);
            }
          };
      server.requestHandler(
          request -> {
            if (isHttpWatch(request)) {
              streamWatch(vertx, request, dispatcher);
            } else {
              standard.handle(request);
            }
          });
      await(server.listen(), "cannot listen on " + host + ":" + port);
      return new ApiHttpServer(vertx, server);
    } catch (RuntimeException e) {
      await(vertx.close(), "cannot stop Vert.x");
      throw e;
    }
  }

  int port() {
    return server.actualPort();
  }

  /**
   * Closes the listener and every open connection (watches end), then stops Vert.x and its threads.
   */
  @Override
  public void close() {
    try {
      await(server.close(), "cannot close the HTTP server");
    } finally {
      await(vertx.close(), "cannot stop Vert.x");
    }
  }

  private static boolean isHttpWatch(HttpServerRequest request) {
    String watch = request.getParam("watch");
    return request.method() == io.vertx.core.http.HttpMethod.GET
        && ("true".equals(watch) || "1".equals(watch))
        && !"websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
  }

  private static void streamWatch(Vertx vertx, HttpServerRequest request, Dispatcher dispatcher) {
    RecordedRequest recorded =
        new RecordedRequest(
            request.version().alpnName().toUpperCase(Locale.ROOT),
            HttpMethod.GET,
            request.uri(),
            Headers.builder().addAll(request.headers()).build(),
            new Buffer());
    MockResponse answer = dispatcher.dispatch(recorded);
    HttpServerResponse response = request.response();
    WebSocketListener listener = answer.getWebSocketListener();
    if (listener == null) {
      // Refused (bad selector, unknown resource): answer with the status as it is.
      response.setStatusCode(answer.code());
      answer.getHeaders().toMultimap().forEach(response.headers()::add);
      response.end(
          io.vertx.core.buffer.Buffer.buffer(
              answer.getBody() == null ? new byte[0] : answer.getBody().getBytes()));
      return;
    }
    response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
    response.writeHead();
    HttpWatchStream stream = new HttpWatchStream(recorded, response);
    long timer =
        vertx.setTimer(
            TimeUnit.SECONDS.toMillis(timeoutSeconds(request)),
            id -> listener.onClosed(stream, WATCH_CLOSED, "watch timeout"));
    response.closeHandler(
        v -> {
          vertx.cancelTimer(timer);
          listener.onClosed(stream, WATCH_CLOSED, "client closed the watch");
        });
    listener.onOpen(stream, answer);
  }

  /**
   * The client's {@code timeoutSeconds}, as the real server honours it, ending the stream cleanly.
   */
  private static long timeoutSeconds(HttpServerRequest request) {
    try {
      String timeout = request.getParam("timeoutSeconds");
      return timeout == null ? DEFAULT_WATCH_TIMEOUT_SECONDS : Math.max(1, Long.parseLong(timeout));
    } catch (NumberFormatException e) {
      return DEFAULT_WATCH_TIMEOUT_SECONDS;
    }
  }

  private static <T> T await(Future<T> future, String failure) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(failure, e);
    } catch (Exception e) {
      throw new IllegalStateException(failure + ": " + e.getMessage(), e);
    }
  }
}
