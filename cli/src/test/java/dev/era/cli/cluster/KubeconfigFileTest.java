package dev.era.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigFileTest {
  @TempDir Path dir;

  private Path kubeconfig(String user) throws IOException {
    return Files.writeString(
        dir.resolve("kubeconfig"),
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: other
          cluster: {server: "https://other.example:6443"}
        - name: lab
          cluster:
            server: "https://lab.example:6443/prefix"
            certificate-authority-data: "Q0EtREFUQQ=="
        contexts:
        - name: other
          context: {cluster: other, user: u}
        - name: lab
          context: {cluster: lab, user: u, namespace: sandboxes}
        current-context: lab
        users:
        - name: u
          user: %s
        """
            .formatted(user));
  }

  @Test
  void readsTheCurrentContextsServerCaTokenAndNamespace() throws IOException {
    Config config = KubeconfigFile.read(kubeconfig("{token: abc}"));

    assertThat(config.getMasterUrl()).startsWith("https://lab.example:6443/prefix");
    assertThat(config.getCaCertData()).isEqualTo("Q0EtREFUQQ==");
    assertThat(config.getOauthToken()).isEqualTo("abc");
    assertThat(config.getNamespace()).isEqualTo("sandboxes");
  }

  @Test
  void resolvesFilesRelativeToTheKubeconfig() throws IOException {
    Files.writeString(dir.resolve("token"), "from-file\n");

    Config config =
        KubeconfigFile.read(kubeconfig("{tokenFile: token, client-certificate: certs/me.crt}"));

    assertThat(config.getOauthToken()).isEqualTo("from-file");
    assertThat(config.getClientCertFile()).isEqualTo(dir.resolve("certs/me.crt").toString());
  }

  @Test
  void anExecPluginIsRunAsFabric8RunsIt() throws IOException {
    String exec =
        """
        {exec: {apiVersion: client.authentication.k8s.io/v1, command: sh, args: ["-c",
          "echo '{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"from-exec\\"}}'"]}}\
        """;

    Config config = KubeconfigFile.read(kubeconfig(exec));

    assertThat(config.getAutoOAuthToken()).isEqualTo("from-exec");
    assertThat(config.getNamespace()).isEqualTo("sandboxes");
  }

  @Test
  void aMissingContextIsAnError() throws IOException {
    Path file = kubeconfig("{token: abc}");
    Files.writeString(
        file, Files.readString(file).replace("current-context: lab", "current-context: gone"));

    assertThatThrownBy(() -> KubeconfigFile.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no context named 'gone'");
  }
}
