package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.HttpUrl;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code dryRun=All}: a write that goes through every step (admission, defaulting, validation,
 * managed fields) and answers as it would, but stores nothing, so no resourceVersion is used up and
 * no watch hears of it. Clients ask in the query, or for deletes in the DeleteOptions body.
 */
final class DryRun {
  private DryRun() {}

  static boolean requested(HttpUrl url, RecordedRequest request) {
    List<String> values = new ArrayList<>();
    if (url.queryParameter("dryRun") != null) {
      values.add(url.queryParameter("dryRun"));
    }
    if (request.getBody() != null
        && request.getBody().size() > 0
        && "DELETE".equals(request.getMethod())) {
      JsonNode options =
          Json.read(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
      options.path("dryRun").forEach(v -> values.add(v.asText()));
    }
    for (String value : values) {
      if (!"All".equals(value)) {
        throw ApiException.badRequest(
            "Invalid dryRun value: dryRun: Unsupported value: "
                + Json.write(value)
                + ": supported values: \"All\"");
      }
    }
    return !values.isEmpty();
  }
}
