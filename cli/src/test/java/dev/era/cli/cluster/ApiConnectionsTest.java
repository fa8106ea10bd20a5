package dev.era.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which commands share an API client: the same credentials do, changed ones do not. */
class ApiConnectionsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void theSameCredentialsShareAClient() {
    assertThat(ApiConnections.of(config("https://127.0.0.1:6443", "t1"), TIMEOUT, 1))
        .isSameAs(ApiConnections.of(config("https://127.0.0.1:6443", "t1"), TIMEOUT, 1));
  }

  @Test
  void anotherTokenOrServerGetsItsOwnClient() {
    KubeApi first = ApiConnections.of(config("https://127.0.0.1:6443", "t1"), TIMEOUT, 1);
    assertThat(ApiConnections.of(config("https://127.0.0.1:6443", "t2"), TIMEOUT, 1))
        .isNotSameAs(first);
    assertThat(ApiConnections.of(config("https://127.0.0.1:6444", "t1"), TIMEOUT, 1))
        .isNotSameAs(first);
  }

  @Test
  void aRewrittenCertificateFileGetsANewClient() throws IOException {
    Path ca = dir.resolve("ca.crt");
    Files.writeString(ca, "not read: no handshake happens in this test");
    Config config = new ConfigBuilder(config("http://127.0.0.1:8080", null)).build();
    config.setCaCertFile(ca.toString());
    KubeApi first = ApiConnections.of(config, TIMEOUT, 1);
    assertThat(ApiConnections.of(config, TIMEOUT, 1)).isSameAs(first);

    Files.setLastModifiedTime(ca, FileTime.from(Instant.now().plusSeconds(60)));
    assertThat(ApiConnections.of(config, TIMEOUT, 1)).isNotSameAs(first);
  }

  private static Config config(String server, String token) {
    return new ConfigBuilder(Config.empty()).withMasterUrl(server).withOauthToken(token).build();
  }
}
