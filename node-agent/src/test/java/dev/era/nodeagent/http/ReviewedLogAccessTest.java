package dev.era.nodeagent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.apiserver.Component;
import dev.era.apiserver.EmbeddedApiServer;
import dev.era.apiserver.testing.ApiServerExtension;
import dev.era.nodeagent.http.LogAccess.Verdict;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The node agent asks the API server, with its own chart RBAC, who calls and what they may do. */
class ReviewedLogAccessTest {
  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();

  private LogAccess access() {
    return new ReviewedLogAccess(API.clientOf(Component.NODE_AGENT));
  }

  @Test
  void aUserWhoMayGetTheRunMayReadItsLogs() {
    String admin = API.client().getConfiguration().getOauthToken();

    assertThat(access().check("Bearer " + admin, "default", "hello").verdict())
        .isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void aUserWhoMayNotGetTheRunIsForbidden(@TempDir Path credentials) throws Exception {
    // A user of the token file whom no RBAC binding names, as kube-apiserver's --token-auth-file
    // has them.
    Files.writeString(
        credentials.resolve("tokens.csv"), "alice-token,alice,alice,\"system:authenticated\"\n");
    try (EmbeddedApiServer server = new EmbeddedApiServer(credentials)) {
      server.start(0);
      try (KubernetesClient agent = server.newClient(Component.NODE_AGENT)) {
        LogAccess.Decision decision =
            new ReviewedLogAccess(agent).check("Bearer alice-token", "default", "hello");

        assertThat(decision.verdict()).isEqualTo(Verdict.FORBIDDEN);
        assertThat(decision.message()).contains("alice").contains("eraruns");
      }
    }
  }

  @Test
  void noTokenOrAnUnknownOneIsUnauthenticated() {
    assertThat(access().check(null, "default", "hello").verdict())
        .isEqualTo(Verdict.UNAUTHENTICATED);
    assertThat(access().check("Basic ZXJhOmVyYQ==", "default", "hello").verdict())
        .isEqualTo(Verdict.UNAUTHENTICATED);
    assertThat(access().check("Bearer made-up", "default", "hello").verdict())
        .isEqualTo(Verdict.UNAUTHENTICATED);
  }

  @Test
  void anUnreachableApiServerIsUnavailableNotAllowed() {
    EmbeddedApiServer gone = new EmbeddedApiServer();
    gone.start(0);
    String admin = gone.client().getConfiguration().getOauthToken();
    // No retries: the answer, not the client's backoff, is under test.
    var config =
        new ConfigBuilder(gone.clientConfig(Component.NODE_AGENT))
            .withRequestRetryBackoffLimit(0)
            .build();
    try (KubernetesClient agent = new KubernetesClientBuilder().withConfig(config).build()) {
      gone.close();

      assertThat(new ReviewedLogAccess(agent).check("Bearer " + admin, "ns", "run").verdict())
          .isEqualTo(Verdict.UNAVAILABLE);
    }
  }
}
