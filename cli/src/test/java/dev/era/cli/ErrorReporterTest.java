package dev.era.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class ErrorReporterTest {
  @Test
  void aLineHasTheProblemAndTheHintOnOneLine() {
    assertThat(ErrorReporter.line("it broke\nbadly", "fix it"))
        .isEqualTo("era: it broke; badly (hint: fix it)");
  }

  @Test
  void aRefusedConnectionSaysTheApiCannotBeReached() {
    KubernetesClientException e =
        new KubernetesClientException(
            "Operation: [list] failed", new ConnectException("Connection refused"));

    CliException described = ErrorReporter.describe(e);

    assertThat(described.getMessage())
        .isEqualTo("cannot reach the Kubernetes API: Connection refused");
    assertThat(described.hint()).contains("era status");
    assertThat(described.exitCode()).isEqualTo(ExitCodes.ERROR);
  }

  @Test
  void anythingUnexpectedPointsAtDebug() {
    CliException described = ErrorReporter.describe(new IllegalStateException("odd"));

    assertThat(described.getMessage()).isEqualTo("unexpected error: odd");
    assertThat(described.hint()).contains("--debug");
  }
}
