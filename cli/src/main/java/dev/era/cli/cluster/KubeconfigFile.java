package dev.era.cli.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a kubeconfig into fabric8's {@link Config}, in its current context. fabric8's own reader
 * costs a short command most of its CPU time (it sets up the serialization of every Kubernetes
 * type), so the plain cases are read here: server, CA, client certificate and key, token or token
 * file, user name and password, namespace, each as data or as a file relative to the kubeconfig. A
 * user with an exec plugin or an auth provider goes to fabric8's reader, which runs them.
 */
final class KubeconfigFile {
  private static final ObjectMapper YAML =
      new YAMLMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  record Document(
      @JsonProperty("current-context") String currentContext,
      List<NamedContext> contexts,
      List<NamedCluster> clusters,
      List<NamedUser> users) {}

  record NamedContext(String name, ContextEntry context) {}

  record NamedCluster(String name, ClusterEntry cluster) {}

  record NamedUser(String name, UserEntry user) {}

  record ContextEntry(String cluster, String user, String namespace) {}

  record ClusterEntry(
      String server,
      @JsonProperty("certificate-authority") String certificateAuthority,
      @JsonProperty("certificate-authority-data") String certificateAuthorityData,
      @JsonProperty("insecure-skip-tls-verify") Boolean insecureSkipTlsVerify) {}

  record UserEntry(
      String token,
      String tokenFile,
      @JsonProperty("client-certificate") String clientCertificate,
      @JsonProperty("client-certificate-data") String clientCertificateData,
      @JsonProperty("client-key") String clientKey,
      @JsonProperty("client-key-data") String clientKeyData,
      String username,
      String password,
      JsonNode exec,
      @JsonProperty("auth-provider") JsonNode authProvider) {}

  private KubeconfigFile() {}

  /**
   * @throws IOException when the file cannot be read or names no usable current context
   */
  static Config read(Path file) throws IOException {
    Document doc = YAML.readValue(file.toFile(), Document.class);
    if (doc == null || doc.currentContext() == null || doc.currentContext().isBlank()) {
      throw new IOException("it names no current-context");
    }
    ContextEntry context =
        find(
            doc.contexts(),
            NamedContext::name,
            NamedContext::context,
            doc.currentContext(),
            "context");
    ClusterEntry cluster =
        find(
            doc.clusters(),
            NamedCluster::name,
            NamedCluster::cluster,
            context.cluster(),
            "cluster");
    UserEntry user =
        context.user() == null
            ? null
            : find(doc.users(), NamedUser::name, NamedUser::user, context.user(), "user");
    if (user != null && (user.exec() != null || user.authProvider() != null)) {
      return Config.fromKubeconfig(null, file.toFile());
    }
    if (cluster.server() == null || cluster.server().isBlank()) {
      throw new IOException("cluster '" + context.cluster() + "' has no server");
    }
    Path dir = file.toAbsolutePath().getParent();
    ConfigBuilder config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(cluster.server())
            .withNamespace(context.namespace())
            .withCaCertData(cluster.certificateAuthorityData())
            .withCaCertFile(resolve(dir, cluster.certificateAuthority()));
    if (Boolean.TRUE.equals(cluster.insecureSkipTlsVerify())) {
      config.withTrustCerts(true).withDisableHostnameVerification(true);
    }
    if (user != null) {
      config
          .withClientCertData(user.clientCertificateData())
          .withClientCertFile(resolve(dir, user.clientCertificate()))
          .withClientKeyData(user.clientKeyData())
          .withClientKeyFile(resolve(dir, user.clientKey()))
          .withUsername(user.username())
          .withPassword(user.password())
          .withOauthToken(token(user, dir));
    }
    return config.build();
  }

  private static String token(UserEntry user, Path dir) throws IOException {
    if (user.token() != null && !user.token().isBlank()) {
      return user.token();
    }
    return user.tokenFile() == null
        ? null
        : Files.readString(Path.of(resolve(dir, user.tokenFile()))).strip();
  }

  private static <E, T> T find(
      List<E> entries, Function<E, String> nameOf, Function<E, T> valueOf, String name, String what)
      throws IOException {
    return Optional.ofNullable(entries).orElse(List.of()).stream()
        .filter(entry -> name != null && name.equals(nameOf.apply(entry)))
        .map(valueOf)
        .filter(Objects::nonNull)
        .findFirst()
        .orElseThrow(() -> new IOException("it has no " + what + " named '" + name + "'"));
  }

  /** kubectl resolves relative paths against the kubeconfig's directory. */
  private static String resolve(Path dir, String path) {
    return path == null || path.isBlank() ? null : dir.resolve(path).toString();
  }
}
