package dev.era.cli.cluster;

import io.fabric8.kubernetes.client.Config;
import java.io.File;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API clients of this process, one per set of credentials: the command server runs many
 * commands, and a client kept between them keeps its open connections, where a new one pays a TCP
 * and TLS handshake per command (35–45 ms here). A kubeconfig whose credentials change (a rotated
 * token, a rewritten certificate file) gets a new client.
 */
final class ApiConnections {
  /** More than one process uses in practice; past it, the oldest clients are simply dropped. */
  private static final int MAX = 8;

  private static final Map<List<Object>, KubeApi> CLIENTS = new ConcurrentHashMap<>();

  private ApiConnections() {}

  static KubeApi of(Config config, Duration connectTimeout, int retries) {
    if (config.getOauthTokenProvider() != null) {
      return KubeApi.of(config, connectTimeout, retries); // a token per request: nothing to key on
    }
    List<Object> key = key(config, connectTimeout, retries);
    KubeApi kept = CLIENTS.get(key);
    if (kept != null) {
      return kept;
    }
    if (CLIENTS.size() >= MAX) {
      CLIENTS.clear(); // only to make room: a client already kept is never dropped for itself
    }
    return CLIENTS.computeIfAbsent(key, k -> KubeApi.of(config, connectTimeout, retries));
  }

  /** Everything {@link KubeApi#of} reads, with the files it reads named by path and version. */
  private static List<Object> key(Config config, Duration connectTimeout, int retries) {
    return Arrays.asList(
        config.getMasterUrl(),
        config.getCaCertData(),
        fileVersion(config.getCaCertFile()),
        config.getClientCertData(),
        fileVersion(config.getClientCertFile()),
        config.getClientKeyData(),
        fileVersion(config.getClientKeyFile()),
        config.getClientKeyAlgo(),
        config.getOauthToken(),
        config.getAutoOAuthToken(),
        config.getUsername(),
        config.getPassword(),
        config.isTrustCerts(),
        config.isDisableHostnameVerification(),
        connectTimeout,
        retries);
  }

  private static Object fileVersion(String path) {
    if (path == null) {
      return null;
    }
    File file = new File(path);
    return List.of(path, file.lastModified(), file.length());
  }
}
