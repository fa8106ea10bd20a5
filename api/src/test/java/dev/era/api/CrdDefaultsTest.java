package dev.era.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema's defaults (applied by a real API server) and the Java ones (all others) agree. */
class CrdDefaultsTest {

  private static Map<String, JSONSchemaProps> specProperties(String file) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("..", "crds", file))) {
      CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      return crd.getSpec()
          .getVersions()
          .get(0)
          .getSchema()
          .getOpenAPIV3Schema()
          .getProperties()
          .get("spec")
          .getProperties();
    }
  }

  @Test
  void eraVmDefaultsMatchTheJavaModel() throws IOException {
    Map<String, JSONSchemaProps> props = specProperties("eravms.era.dev-v1.yml");
    EraVMSpec spec = new EraVMSpec();
    assertThat(props.get("language").getDefault().asText()).isEqualTo(spec.getLanguage());
    assertThat(props.get("cpu").getDefault().asInt()).isEqualTo(spec.getCpu());
    assertThat(props.get("memory").getDefault().asText()).isEqualTo(spec.getMemory());
    assertThat(props.get("network").getDefault().asText()).isEqualTo(spec.getNetwork());
    assertThat(props.get("running").getDefault().asBoolean()).isEqualTo(spec.getRunning());
    assertThat(props.get("ttl").getProperties().get("action").getDefault().asText())
        .isEqualTo(new TtlSpec().getAction());
  }

  @Test
  void eraPoolDefaultsMatchTheJavaModel() throws IOException {
    Map<String, JSONSchemaProps> props = specProperties("erapools.era.dev-v1.yml");
    EraPoolSpec spec = new EraPoolSpec();
    Map<String, JSONSchemaProps> template = props.get("template").getProperties();
    assertThat(template.get("language").getDefault().asText())
        .isEqualTo(spec.getTemplate().getLanguage());
    assertThat(template.get("cpu").getDefault().asInt()).isEqualTo(spec.getTemplate().getCpu());
    assertThat(template.get("memory").getDefault().asText())
        .isEqualTo(spec.getTemplate().getMemory());
    assertThat(template.get("network").getDefault().asText())
        .isEqualTo(spec.getTemplate().getNetwork());
    assertThat(props.get("replicas").getDefault().asInt()).isEqualTo(spec.getReplicas());
  }

  @Test
  void eraRunDefaultsMatchTheJavaModel() throws IOException {
    Map<String, JSONSchemaProps> props = specProperties("eraruns.era.dev-v1.yml");
    assertThat(props.get("timeoutSeconds").getDefault().asInt())
        .isEqualTo(new EraRunSpec().getTimeoutSeconds());
    assertThat(
            props
                .get("files")
                .getItems()
                .getSchema()
                .getProperties()
                .get("mode")
                .getDefault()
                .asInt())
        .isEqualTo(new RunFile().getMode());
  }
}
