package dev.era.nodeagent.http;

import dev.era.nodeagent.logs.RunLog;
import dev.era.nodeagent.logs.RunLogs;
import java.net.URI;
import java.util.Arrays;
import java.util.Optional;

/** {@code /runs/{namespace}/{name}/{stdout|stderr}[?follow=true]}, checked. */
record LogRequest(String namespace, String name, RunLog.Stream stream, boolean follow) {

  static Optional<LogRequest> parse(URI uri) {
    String[] parts = uri.getPath().split("/");
    if (parts.length != 5
        || !parts[0].isEmpty()
        || !parts[1].equals("runs")
        || !RunLogs.validName(parts[2])
        || !RunLogs.validName(parts[3])) {
      return Optional.empty();
    }
    Optional<RunLog.Stream> stream =
        Arrays.stream(RunLog.Stream.values()).filter(s -> s.name().equals(parts[4])).findFirst();
    return stream.map(s -> new LogRequest(parts[2], parts[3], s, follow(uri.getQuery())));
  }

  private static boolean follow(String query) {
    if (query == null) {
      return false;
    }
    return Arrays.stream(query.split("&"))
        .anyMatch(p -> p.equals("follow") || p.equals("follow=true") || p.equals("follow=1"));
  }
}
