package dev.era.nodeagent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.KeyRef;
import dev.era.api.RunFile;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FileSourcesTest {
  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();
  static FileSources sources;

  @BeforeAll
  static void start() {
    sources = new FileSources(API.clientOf(Component.NODE_AGENT));
    API.client()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cm")
                .withNamespace("default")
                .endMetadata()
                .withData(Map.of("text", "from a config map"))
                .withBinaryData(Map.of("bin", b64(new byte[] {1, 2, 3})))
                .build())
        .create();
    API.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("sec")
                .withNamespace("default")
                .endMetadata()
                .withData(Map.of("token", b64("s3cret".getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
  }

  @Test
  void readsInlineTextAndBase64() throws Exception {
    assertThat(text(file(f -> f.setContent("héllo")))).isEqualTo("héllo");
    assertThat(
            sources.content(
                "default", file(f -> f.setContentBase64(b64(new byte[] {0, (byte) 255})))))
        .containsExactly(0, 255);
  }

  @Test
  void readsConfigMapDataAndBinaryData() throws Exception {
    assertThat(text(file(f -> f.setConfigMapRef(new KeyRef("cm", "text")))))
        .isEqualTo("from a config map");
    assertThat(sources.content("default", file(f -> f.setConfigMapRef(new KeyRef("cm", "bin")))))
        .containsExactly(1, 2, 3);
  }

  @Test
  void readsSecretData() throws Exception {
    assertThat(text(file(f -> f.setSecretRef(new KeyRef("sec", "token"))))).isEqualTo("s3cret");
  }

  @Test
  void saysWhichObjectOrKeyIsMissing() {
    assertThatThrownBy(
            () -> sources.content("default", file(f -> f.setConfigMapRef(new KeyRef("nope", "k")))))
        .isInstanceOf(StagingException.class)
        .hasMessageContaining("ConfigMap default/nope does not exist");
    assertThatThrownBy(
            () -> sources.content("default", file(f -> f.setSecretRef(new KeyRef("sec", "nokey")))))
        .isInstanceOf(StagingException.class)
        .hasMessageContaining("Secret default/sec has no key nokey");
    assertThatThrownBy(() -> sources.content("default", file(f -> f.setContentBase64("***"))))
        .isInstanceOf(StagingException.class)
        .hasMessageContaining("not valid base64");
  }

  /**
   * The chart opts only {@code default} in (nodeAgent.fileSourceNamespaces): elsewhere the node
   * agent's identity is refused, and the run's message says which value opens the namespace.
   */
  @Test
  void aSecretOutsideTheOptedInNamespacesIsRefusedWithWhatToSet() {
    API.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("sec")
                .withNamespace("team-b")
                .endMetadata()
                .withData(Map.of("token", b64("other".getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();

    assertThatThrownBy(
            () -> sources.content("team-b", file(f -> f.setSecretRef(new KeyRef("sec", "token")))))
        .isInstanceOf(StagingException.class)
        .hasMessage(
            "file f: the node agent may not read Secret team-b/sec: runs stage files from"
                + " ConfigMaps and Secrets only in the namespaces of the chart value"
                + " nodeAgent.fileSourceNamespaces; add 'team-b' to it");
    assertThatThrownBy(
            () -> sources.content("team-b", file(f -> f.setConfigMapRef(new KeyRef("cm", "k")))))
        .isInstanceOf(StagingException.class)
        .hasMessageContaining("may not read ConfigMap team-b/cm");
  }

  private static String text(RunFile file) throws StagingException {
    return new String(sources.content("default", file), StandardCharsets.UTF_8);
  }

  private static RunFile file(Consumer<RunFile> content) {
    RunFile file = new RunFile();
    file.setPath("f");
    content.accept(file);
    return file;
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
