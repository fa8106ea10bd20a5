package dev.era.nodeagent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunLogs;
import dev.era.nodeagent.logs.RunRecord;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentHttpServerTest {
  private static final String READER = "Bearer reader";
  private static final int MAX_FOLLOWERS = 2;

  /** Lets "reader" read ns/*, knows "stranger" but lets it read nothing, and knows nobody else. */
  private static final LogAccess ACCESS =
      (authorization, namespace, run) ->
          switch (String.valueOf(authorization)) {
            case READER ->
                namespace.equals("ns")
                    ? LogAccess.Decision.allowed()
                    : new LogAccess.Decision(LogAccess.Verdict.FORBIDDEN, "not this namespace");
            case "Bearer stranger" -> new LogAccess.Decision(LogAccess.Verdict.FORBIDDEN, "no");
            default -> new LogAccess.Decision(LogAccess.Verdict.UNAUTHENTICATED, "who?");
          };

  @TempDir Path dir;
  RunLogs logs;
  AgentHttpServer server;
  final AtomicBoolean mayArrive = new AtomicBoolean();
  final AtomicReference<Optional<String>> readinessProblem =
      new AtomicReference<>(Optional.empty());
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    logs = new RunLogs(dir, 1024, 1 << 20);
    server =
        AgentHttpServer.start(
            "127.0.0.1",
            0,
            logs,
            (ns, name) -> mayArrive.get(),
            ACCESS,
            readinessProblem::get,
            MAX_FOLLOWERS);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void answersHealthChecks() throws Exception {
    HttpResponse<String> response = get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok\n");
  }

  @Test
  void answersReadinessFromTheCheck() throws Exception {
    assertThat(get("/readyz").statusCode()).isEqualTo(200);

    readinessProblem.set(Optional.of("no images"));
    HttpResponse<String> notReady = get("/readyz");

    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).isEqualTo("not ready: no images\n");
  }

  @Test
  void servesTheWholeLogOfARun() throws Exception {
    RunLog log = logs.create("ns", "run", record());
    log.onStdout(bytes("out\n"));
    log.onStderr(bytes("err\n"));

    assertThat(get("/runs/ns/run/stdout").body()).isEqualTo("out\n");
    assertThat(get("/runs/ns/run/stderr").body()).isEqualTo("err\n");
  }

  @Test
  void answersNotFoundForUnknownRunsAndPaths() throws Exception {
    assertThat(get("/runs/ns/missing/stdout").statusCode()).isEqualTo(404);
    assertThat(get("/runs/ns/run/other").statusCode()).isEqualTo(404);
    assertThat(get("/runs/NS!/run/stdout").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(uri("/runs/ns/run/stdout"))
                .header("Authorization", READER)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void followStreamsUntilTheLogEnds() throws Exception {
    RunLog log = logs.create("ns", "run", record());
    log.onStdout(bytes("one\n"));
    CompletableFuture<HttpResponse<String>> followed = follow("/runs/ns/run/stdout");

    finishWith(log, "two\n");

    assertThat(answer(followed).body()).isEqualTo("one\ntwo\n");
  }

  @Test
  void followWaitsForARunThatHasNotReachedTheNode() throws Exception {
    mayArrive.set(true);
    CompletableFuture<HttpResponse<String>> followed = follow("/runs/ns/later/stdout");

    finishWith(logs.create("ns", "later", record()), "finally\n");

    assertThat(answer(followed).body()).isEqualTo("finally\n");
  }

  @Test
  void followEndsAtOnceForARunThatWillNotComeHere() throws Exception {
    mayArrive.set(false);

    HttpResponse<String> response = answer(follow("/runs/ns/elsewhere/stdout"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void refusesCallersWhoMayNotReadTheRun() throws Exception {
    logs.create("ns", "run", record()).onStdout(bytes("secret\n"));
    logs.create("other", "run", record()).onStdout(bytes("secret\n"));

    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(uri("/runs/ns/run/stdout")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(anonymous.body()).doesNotContain("secret");
    assertThat(get("/runs/ns/run/stdout", "Bearer stranger").statusCode()).isEqualTo(403);
    assertThat(get("/runs/other/run/stdout", READER).statusCode()).isEqualTo(403);
    assertThat(answer(follow("/runs/ns/run/stdout", "Bearer stranger")).body())
        .doesNotContain("secret");
  }

  @Test
  void healthChecksNeedNoToken() throws Exception {
    assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
  }

  @Test
  void followersPastTheLimitAreToldToComeBackLater() throws Exception {
    mayArrive.set(true);
    List<HttpResponse<InputStream>> waiting = new ArrayList<>();
    for (int i = 0; i < MAX_FOLLOWERS; i++) {
      // The response starts (headers sent) once the follower holds its place.
      waiting.add(
          http.send(
              HttpRequest.newBuilder(uri("/runs/ns/later/stdout?follow=true"))
                  .header("Authorization", READER)
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream()));
    }

    HttpResponse<String> refused = answer(follow("/runs/ns/later/stdout"));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(get("/runs/ns/run/stdout").statusCode())
        .as("short requests still get a thread")
        .isEqualTo(404);

    finishWith(logs.create("ns", "later", record()), "done\n");
    for (HttpResponse<InputStream> follower : waiting) {
      try (InputStream body = follower.body()) {
        assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("done\n");
      }
    }
    assertThat(answer(follow("/runs/ns/later/stdout")).statusCode())
        .as("a finished follower frees its place")
        .isEqualTo(200);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(path, READER);
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private CompletableFuture<HttpResponse<String>> follow(String path) {
    return follow(path, READER);
  }

  private CompletableFuture<HttpResponse<String>> follow(String path, String authorization) {
    return http.sendAsync(
        HttpRequest.newBuilder(uri(path + "?follow=true"))
            .header("Authorization", authorization)
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The whole response to a follow request, which ends when the log does. */
  private static HttpResponse<String> answer(CompletableFuture<HttpResponse<String>> followed)
      throws Exception {
    return followed.get(30, TimeUnit.SECONDS);
  }

  /** Writes the last of a run's stdout and ends its log, as a run that exits does. */
  private static void finishWith(RunLog log, String last) {
    log.onStdout(bytes(last));
    log.finish();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static RunRecord record() {
    return new RunRecord("uid", "vm", "2026-01-01T00:00:00Z", null);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
