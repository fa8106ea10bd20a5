package dev.era.cli.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A node agent's log endpoint: {@code GET <endpoint>/runs/<namespace>/<run>/stdout} (or {@code
 * stderr}), complete, or with {@code ?follow=true} streamed until the run ends. Requests carry the
 * CLI's bearer token; the agent lets whoever may get the EraRun read its logs.
 */
final class AgentLogs {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private final String endpoint;
  private final Optional<String> token;

  AgentLogs(String endpoint, Optional<String> token) {
    this.endpoint =
        endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    this.token = token;
  }

  /** The stream's body; the caller closes it. */
  InputStream open(String namespace, String run, String stream, boolean follow) throws IOException {
    URI uri =
        URI.create(
            endpoint
                + "/runs/"
                + encode(namespace)
                + "/"
                + encode(run)
                + "/"
                + stream
                + (follow ? "?follow=true" : ""));
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
      token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
      HttpResponse<InputStream> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        response.body().close();
        throw new IOException("the node agent answered " + response.statusCode() + " for " + uri);
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + uri, e);
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }
}
