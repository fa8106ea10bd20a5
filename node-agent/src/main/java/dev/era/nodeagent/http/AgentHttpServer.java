package dev.era.nodeagent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunLogs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The node agent's HTTP endpoint (docs/node-agent-endpoint.md): {@code GET /healthz} (the process
 * answers), {@code GET /readyz} (the agent can take VMs: {@link ReadinessCheck}) and {@code GET
 * /runs/{namespace}/{name}/stdout|stderr[?follow=true]}, the last for callers whom {@link
 * LogAccess} lets read the run. The JDK's server, so that it runs the same inside the Quarkus app
 * and inside the {@code era} CLI.
 *
 * <p>Its threads are bounded, and followers (each holds a thread for as long as its run lasts) are
 * bounded below that, so that a crowd of followers leaves threads for short requests; a follower
 * past the limit is answered 429. Past the thread limit the server closes new connections.
 */
public final class AgentHttpServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AgentHttpServer.class);

  /**
   * How long a follower sleeps before it looks again without being woken (a run that never came).
   */
  static final Duration RECHECK = Duration.ofSeconds(2);

  /** Followers at once; the CLI follows both streams of a run, so this is 32 runs followed. */
  public static final int MAX_FOLLOWERS = 64;

  /** Threads for everything else, on top of the followers'. */
  static final int SHORT_REQUEST_THREADS = 8;

  /**
   * Answers whether a run may still bring logs to this node (it exists and waits for this node).
   */
  @FunctionalInterface
  public interface RunLookup {
    boolean mayArrive(String namespace, String name);
  }

  /** Why the agent cannot take VMs now; empty when it can. */
  @FunctionalInterface
  public interface ReadinessCheck {
    Optional<String> problem();
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final RunLogs logs;
  private final RunLookup lookup;
  private final LogAccess access;
  private final ReadinessCheck readiness;
  private final Semaphore followers;

  private AgentHttpServer(
      HttpServer server,
      RunLogs logs,
      RunLookup lookup,
      LogAccess access,
      ReadinessCheck readiness,
      int maxFollowers) {
    this.server = server;
    this.logs = logs;
    this.lookup = lookup;
    this.access = access;
    this.readiness = readiness;
    this.followers = new Semaphore(maxFollowers);
    AtomicInteger threads = new AtomicInteger();
    int maxThreads = maxFollowers + SHORT_REQUEST_THREADS;
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            maxThreads,
            maxThreads,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(maxThreads),
            r -> {
              Thread t = new Thread(r, "era-agent-http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
    server.setExecutor(executor);
    server.createContext("/healthz", this::health);
    server.createContext("/readyz", this::ready);
    server.createContext("/runs/", this::runLog);
  }

  public static AgentHttpServer start(
      String host,
      int port,
      RunLogs logs,
      RunLookup lookup,
      LogAccess access,
      ReadinessCheck readiness) {
    return start(host, port, logs, lookup, access, readiness, MAX_FOLLOWERS);
  }

  static AgentHttpServer start(
      String host,
      int port,
      RunLogs logs,
      RunLookup lookup,
      LogAccess access,
      ReadinessCheck readiness,
      int maxFollowers) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
      AgentHttpServer agentServer =
          new AgentHttpServer(server, logs, lookup, access, readiness, maxFollowers);
      server.start();
      return agentServer;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops listening and ends open streams. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void health(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        text(exchange, 405, "only GET is supported\n");
        return;
      }
      text(exchange, 200, "ok\n");
    }
  }

  private void ready(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        text(exchange, 405, "only GET is supported\n");
        return;
      }
      Optional<String> problem = readiness.problem();
      if (problem.isPresent()) {
        text(exchange, 503, "not ready: " + problem.get() + "\n");
      } else {
        text(exchange, 200, "ok\n");
      }
    }
  }

  private void runLog(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        text(exchange, 405, "only GET is supported\n");
        return;
      }
      Optional<LogRequest> request = LogRequest.parse(exchange.getRequestURI());
      if (request.isEmpty()) {
        text(exchange, 404, "not found: use /runs/{namespace}/{name}/stdout or /stderr\n");
        return;
      }
      LogAccess.Decision decision =
          access.check(
              exchange.getRequestHeaders().getFirst("Authorization"),
              request.get().namespace(),
              request.get().name());
      switch (decision.verdict()) {
        case ALLOWED -> serve(exchange, request.get());
        case UNAUTHENTICATED -> {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
          text(exchange, 401, "Unauthorized: " + decision.message() + "\n");
        }
        case FORBIDDEN -> text(exchange, 403, "Forbidden: " + decision.message() + "\n");
        case UNAVAILABLE -> {
          exchange.getResponseHeaders().set("Retry-After", "1");
          text(exchange, 503, decision.message() + "\n");
        }
      }
    } catch (IOException e) {
      LOG.debugf("log request %s ended: %s", exchange.getRequestURI(), e.getMessage());
    }
  }

  private void serve(HttpExchange exchange, LogRequest request) throws IOException {
    if (!request.follow()) {
      whole(exchange, request);
      return;
    }
    if (!followers.tryAcquire()) {
      exchange.getResponseHeaders().set("Retry-After", "5");
      text(exchange, 429, "too many followers on this node; try again later\n");
      return;
    }
    try {
      follow(exchange, request);
    } finally {
      followers.release();
    }
  }

  /** The log as it is now. */
  private void whole(HttpExchange exchange, LogRequest request) throws IOException {
    Optional<RunLogs.LogView> view =
        logs.view(request.namespace(), request.name(), request.stream());
    if (view.isEmpty()) {
      text(
          exchange,
          404,
          "no logs for run " + request.namespace() + "/" + request.name() + " on this node\n");
      return;
    }
    try (InputStream in = Files.newInputStream(view.get().file())) {
      long size = Files.size(view.get().file());
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
      try (OutputStream out = exchange.getResponseBody()) {
        copy(in, out, size);
      }
    } catch (NoSuchFileException e) {
      text(
          exchange,
          404,
          "the logs of run " + request.namespace() + "/" + request.name() + " were just deleted\n");
    }
  }

  /**
   * Streams the log as it grows until the run has ended here; first waits for the run to reach this
   * node while it may still come.
   */
  private void follow(HttpExchange exchange, LogRequest request) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      Optional<RunLogs.LogView> view = awaitLog(request);
      if (view.isEmpty()) {
        return;
      }
      RunLog live = view.get().live();
      byte[] buffer = new byte[64 * 1024];
      long position = 0;
      try (InputStream in = Files.newInputStream(view.get().file())) {
        while (true) {
          boolean done = view.get().finished();
          for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            position += n;
          }
          out.flush();
          if (done) {
            return;
          }
          live.awaitBeyond(request.stream(), position, RECHECK);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Optional<RunLogs.LogView> awaitLog(LogRequest request) throws InterruptedException {
    while (true) {
      Optional<RunLogs.LogView> view =
          logs.view(request.namespace(), request.name(), request.stream());
      if (view.isPresent() || !lookup.mayArrive(request.namespace(), request.name())) {
        return view;
      }
      logs.awaitArrival(RECHECK);
    }
  }

  private static void copy(InputStream in, OutputStream out, long limit) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = limit;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        break;
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  private static void text(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
