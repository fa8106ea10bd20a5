package dev.era.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/**
 * A kubeconfig with one context, {@code era}: the server's URL and the CA that signed its
 * certificate, and a user with a bearer token.
 */
final class Kubeconfig {
  static final String NAME = "era";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Kubeconfig() {}

  static Config of(String serverUrl, String caPem, String token, String namespace) {
    return new ConfigBuilder()
        .withApiVersion("v1")
        .withKind("Config")
        .addNewCluster()
        .withName(NAME)
        .withNewCluster()
        .withServer(serverUrl)
        .withCertificateAuthorityData(base64(caPem))
        .endCluster()
        .endCluster()
        .addNewUser()
        .withName(NAME)
        .withNewUser()
        .withToken(token)
        .endUser()
        .endUser()
        .addNewContext()
        .withName(NAME)
        .withNewContext()
        .withCluster(NAME)
        .withUser(NAME)
        .withNamespace(namespace)
        .endContext()
        .endContext()
        .withCurrentContext(NAME)
        .build();
  }

  /** Writes {@code config} with mode 0600: it holds a credential. */
  static void write(Config config, Path file) throws IOException {
    AtomicFile.write(file, f -> YAML.writeValue(f, config));
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
