package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.HttpUrl;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DryRunTest {
  private static final String PATH = "/apis/era.dev/v1alpha1/namespaces/default/eravms/vm";

  private static boolean requested(HttpMethod method, String query, String body) {
    RecordedRequest request =
        new RecordedRequest(
            "HTTP/1.1",
            method,
            PATH + query,
            Headers.builder().build(),
            new Buffer(body.getBytes(StandardCharsets.UTF_8)));
    return DryRun.requested(HttpUrl.parse("http://localhost" + PATH + query), request);
  }

  @Test
  void askedForInTheQueryOrInTheDeleteOptions() {
    assertThat(requested(HttpMethod.POST, "?dryRun=All&fieldManager=kubectl", "{}")).isTrue();
    assertThat(requested(HttpMethod.PATCH, "?fieldManager=kubectl", "{}")).isFalse();
    assertThat(
            requested(
                HttpMethod.DELETE, "", "{\"kind\": \"DeleteOptions\", \"dryRun\": [\"All\"]}"))
        .isTrue();
    assertThat(requested(HttpMethod.DELETE, "", "")).isFalse();
  }

  @Test
  void onlyAllIsAValue() {
    assertThatThrownBy(() -> requested(HttpMethod.PUT, "?dryRun=true", "{}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(400);
              assertThat(e.getMessage()).contains("supported values: \"All\"");
            });
  }
}
