package dev.era.cli.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The Kubernetes REST API as the CLI uses it: JSON over the JDK's HTTP client, configured from a
 * fabric8 {@link Config} as {@link KubeconfigFile} reads it (server, CA, client certificate, token,
 * user and password). A short-lived command loads far fewer classes this way than with the fabric8
 * client on Vert.x. Failures are {@link KubernetesClientException}s carrying the API server's
 * {@link Status}, as the fabric8 client throws them.
 */
final class KubeApi {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final String MERGE_PATCH = "application/merge-patch+json";

  /** Per request, beyond connecting: the CLI's calls are small reads and writes. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The API server's URL without a trailing slash; request paths are appended to it. */
  private final String server;

  private final HttpClient http;
  private final Optional<String> bearerToken;
  private final Optional<String> basicAuth;
  private final int retries;

  private KubeApi(
      String server,
      HttpClient http,
      Optional<String> bearerToken,
      Optional<String> basicAuth,
      int retries) {
    this.server = server;
    this.http = http;
    this.bearerToken = bearerToken;
    this.basicAuth = basicAuth;
    this.retries = retries;
  }

  /**
   * @param retries how often a request that could not connect is tried again
   */
  static KubeApi of(Config config, Duration connectTimeout, int retries) {
    HttpClient.Builder http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (config.isDisableHostnameVerification()) {
      // The JDK's client has no per-client switch; this one is read when it first starts.
      System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }
    if (config.getMasterUrl().startsWith("https:")) {
      try {
        http.sslContext(SSLUtils.sslContext(config));
      } catch (GeneralSecurityException | IOException e) {
        throw new KubernetesClientException(
            "cannot set up TLS from the kubeconfig: " + e.getMessage(), e);
      }
    }
    Optional<String> basic =
        config.getUsername() == null || config.getPassword() == null
            ? Optional.empty()
            : Optional.of(
                Base64.getEncoder()
                    .encodeToString(
                        (config.getUsername() + ":" + config.getPassword())
                            .getBytes(StandardCharsets.UTF_8)));
    String server = config.getMasterUrl().replaceFirst("/+$", "");
    return new KubeApi(server, http.build(), bearerToken(config), basic, retries);
  }

  /** The token the kubeconfig gives, directly, from a file, or from an exec plugin. */
  private static Optional<String> bearerToken(Config config) {
    if (config.getOauthTokenProvider() != null) {
      return Optional.ofNullable(config.getOauthTokenProvider().getToken());
    }
    return Stream.of(config.getOauthToken(), config.getAutoOAuthToken())
        .filter(token -> token != null && !token.isBlank())
        .findFirst();
  }

  Optional<String> bearerToken() {
    return bearerToken;
  }

  /**
   * Calls {@code onEvent} for each event of a watch of {@code path} (a collection, narrowed by its
   * query) until the returned handle is closed. Only a wake-up: the caller reads what it waits for
   * again, and keeps polling, as a watch may be refused or end.
   */
  AutoCloseable watch(String path, Runnable onEvent) {
    HttpRequest request =
        request(path + (path.contains("?") ? "&" : "?") + "watch=true")
            .timeout(Duration.ofDays(1))
            .GET()
            .build();
    AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    AtomicBoolean closed = new AtomicBoolean();
    http.sendAsync(
        request,
        HttpResponse.BodyHandlers.fromLineSubscriber(
            new Flow.Subscriber<String>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                subscription.set(s);
                if (closed.get()) {
                  s.cancel();
                } else {
                  s.request(Long.MAX_VALUE);
                }
              }

              @Override
              public void onNext(String line) {
                onEvent.run();
              }

              @Override
              public void onError(Throwable error) {
                // The wait goes on by polling.
              }

              @Override
              public void onComplete() {
                // Likewise.
              }
            }));
    return () -> {
      closed.set(true);
      Flow.Subscription s = subscription.get();
      if (s != null) {
        s.cancel();
      }
    };
  }

  /** GET; empty on 404. */
  <T> Optional<T> get(String path, JavaType type) {
    HttpResponse<byte[]> response = send(request(path).GET(), path);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(read(response, type, path));
  }

  <T> T post(String path, Object body, JavaType type) {
    return read(send(withJson(request(path), body), path), type, path);
  }

  <T> T mergePatch(String path, String patch, JavaType type) {
    HttpRequest.Builder request =
        request(path)
            .header("Content-Type", MERGE_PATCH)
            .method("PATCH", HttpRequest.BodyPublishers.ofString(patch));
    return read(send(request, path), type, path);
  }

  /**
   * DELETE; a 404 (already gone) is no error. The answer's body, the object as it is being deleted
   * or a Status, is not needed.
   */
  void delete(String path) {
    HttpResponse<byte[]> response = send(request(path).DELETE(), path);
    if (response.statusCode() != 404) {
      requireSuccess(response, path);
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json");
    bearerToken.ifPresentOrElse(
        token -> request.header("Authorization", "Bearer " + token),
        () -> basicAuth.ifPresent(basic -> request.header("Authorization", "Basic " + basic)));
    return request;
  }

  private static HttpRequest.Builder withJson(HttpRequest.Builder request, Object body) {
    try {
      return request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new KubernetesClientException("cannot write " + body.getClass().getSimpleName(), e);
    }
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request, String path) {
    HttpRequest built = request.build();
    for (int attempt = 0; ; attempt++) {
      try {
        return http.send(built, HttpResponse.BodyHandlers.ofByteArray());
      } catch (ConnectException e) {
        // Nothing reached the server, so any request may be tried again.
        if (attempt >= retries) {
          throw failure(built, e);
        }
      } catch (IOException e) {
        throw failure(built, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KubernetesClientException("interrupted while calling " + path, e);
      }
    }
  }

  private static KubernetesClientException failure(HttpRequest request, IOException e) {
    return new KubernetesClientException(
        "cannot " + request.method() + " " + request.uri() + ": " + e, e);
  }

  /** The body of a 2xx answer as {@code type}; any other answer is the API server's Status. */
  private static <T> T read(HttpResponse<byte[]> response, JavaType type, String path) {
    requireSuccess(response, path);
    try {
      return JSON.readValue(response.body(), type);
    } catch (IOException e) {
      throw new KubernetesClientException("cannot read the answer to " + path, e);
    }
  }

  private static void requireSuccess(HttpResponse<byte[]> response, String path) {
    if (response.statusCode() < 200 || response.statusCode() >= 300) {
      throw new KubernetesClientException(status(response, path));
    }
  }

  private static Status status(HttpResponse<byte[]> response, String path) {
    try {
      Status status = JSON.readValue(response.body(), Status.class);
      if ("Status".equals(status.getKind())) {
        status.setCode(response.statusCode());
        return status;
      }
    } catch (IOException e) {
      // Not a Status (a proxy's error page): described from the code below.
    }
    Status status = new Status();
    status.setCode(response.statusCode());
    status.setMessage(
        "HTTP "
            + response.statusCode()
            + " for "
            + path
            + ": "
            + new String(response.body(), StandardCharsets.UTF_8).strip());
    return status;
  }
}
