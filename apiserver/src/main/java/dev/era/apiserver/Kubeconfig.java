package dev.era.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import java.io.IOException;
import java.nio.file.Path;

/** A kubeconfig with one context, {@code era}, for a plain-HTTP server on the loopback address. */
final class Kubeconfig {
  static final String NAME = "era";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Kubeconfig() {}

  static Config of(String serverUrl, String namespace) {
    return new ConfigBuilder()
        .withApiVersion("v1").withKind("Config")
        .addNewCluster().withName(NAME).withNewCluster().withServer(serverUrl).endCluster().endCluster()
        .addNewUser().withName(NAME).withNewUser().endUser().endUser()
        .addNewContext().withName(NAME).withNewContext().withCluster(NAME).withUser(NAME).withNamespace(namespace)
        .endContext().endContext()
        .withCurrentContext(NAME)
        .build();
  }

  static void write(Config config, Path file) throws IOException {
    AtomicFile.write(file, f -> YAML.writeValue(f, config));
  }
}
