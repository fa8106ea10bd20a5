package dev.era.nodeagent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunLogs;
import dev.era.nodeagent.logs.RunRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentHttpServerTest {
  @TempDir Path dir;
  RunLogs logs;
  AgentHttpServer server;
  final AtomicBoolean mayArrive = new AtomicBoolean();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    logs = new RunLogs(dir, 1024, 1 << 20);
    server = AgentHttpServer.start("127.0.0.1", 0, logs, (ns, name) -> mayArrive.get());
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

    log.onStdout(bytes("two\n"));
    log.finish();

    assertThat(followed.get(30, TimeUnit.SECONDS).body()).isEqualTo("one\ntwo\n");
  }

  @Test
  void followWaitsForARunThatHasNotReachedTheNode() throws Exception {
    mayArrive.set(true);
    CompletableFuture<HttpResponse<String>> followed = follow("/runs/ns/later/stdout");

    RunLog log = logs.create("ns", "later", record());
    log.onStdout(bytes("finally\n"));
    log.finish();

    assertThat(followed.get(30, TimeUnit.SECONDS).body()).isEqualTo("finally\n");
  }

  @Test
  void followEndsAtOnceForARunThatWillNotComeHere() throws Exception {
    mayArrive.set(false);

    HttpResponse<String> response = follow("/runs/ns/elsewhere/stdout").get(30, TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private CompletableFuture<HttpResponse<String>> follow(String path) {
    return http.sendAsync(
        HttpRequest.newBuilder(uri(path + "?follow=true")).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
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
