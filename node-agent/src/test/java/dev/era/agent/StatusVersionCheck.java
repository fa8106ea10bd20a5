package dev.era.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The CRUD mock checks resourceVersion on updates of the main resource but not of the status
 * subresource; a real API server (and the era CLI's embedded one) rejects a stale status write with
 * 409. This adds that check, so the tests see the optimistic locking the agent relies on.
 */
final class StatusVersionCheck extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public synchronized MockResponse handleUpdate(RecordedRequest request) {
    String path = request.getPath();
    if (path.endsWith("/status")) {
      // getBytes() does not consume the body, which the store reads next.
      String sent = resourceVersion(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
      MockResponse current = handleGet(path.substring(0, path.length() - "/status".length()));
      if (!sent.isEmpty() && current.code() == 200
          && !sent.equals(resourceVersion(current.getBody().readUtf8()))) {
        return new MockResponse().setResponseCode(409).setBody(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
                + "\"code\":409,\"message\":\"the object has been modified\"}");
      }
    }
    return super.handleUpdate(request);
  }

  private static String resourceVersion(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      return node.path("metadata").path("resourceVersion").asText("");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
