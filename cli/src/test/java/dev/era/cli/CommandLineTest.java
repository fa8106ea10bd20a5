package dev.era.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line without any control plane: parsing, flag checks and the errors users see. */
class CommandLineTest {
  @TempDir Path dir;

  private CliRunner cli() {
    return CliRunner.isolated(dir);
  }

  @Test
  void noCommandIsAUsageError() {
    cli().run().isOneLineError(ExitCodes.USAGE, "missing a command");
  }

  @Test
  void helpListsTheCommandsButNotTheDaemon() {
    CliRunner.Result help = cli().run("--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout())
        .contains(
            "up", "down", "status", "create", "run", "temp", "list", "stop", "start", "clean",
            "logs", "pool")
        .doesNotContain("daemon");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "list",
        "create --language python",
        "run --vm x --cmd true",
        "stop --all",
        "start --vm x",
        "clean --vm x y",
        "clean --all --keep-persist",
        "logs some-run",
        "temp --language node --cmd true",
        "create --pool warm",
        "temp --pool warm --cmd true",
        "pool create warm --language python --replicas 3",
        "pool list",
        "pool delete warm"
      })
  void commandsThatNeedAClusterSayThatNoneRuns(String command) {
    cli()
        .run(command.split(" "))
        .isOneLineError(ExitCodes.ERROR, "no control plane running")
        .stderr()
        .contains("era up");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "create --language ruby                         | --language",
        "create --language python --cpu 0               | --cpu",
        "create --language python --cpu 65              | --cpu",
        "create --language python --mem 64              | --mem",
        "create --language python --mem lots            | --mem",
        "create --language python --network wifi        | --network",
        "create --language python --persist 0           | --persist",
        "create --language python --name Bad_Name       | --name",
        "create --language python -o yaml               | --output",
        "run --vm x --cmd true --timeout 0              | --timeout",
        "run --vm x                                     | --cmd",
        "list --status sleeping                         | --status",
        "stop                                           | --vm",
        "stop --vm a --all                              | --all",
        "up --images ruby                               | --images",
        "up --port 70000                                | --port",
        "pool create warm --language python --cpu 0     | --cpu",
        "pool create                                    | NAME",
        "pool                                           | missing a command",
        "frobnicate                                     | frobnicate"
      })
  void invalidFlagValuesAreUsageErrorsNamingTheFlag(String command, String flag) {
    cli().run(command.strip().split("\\s+")).isOneLineError(ExitCodes.USAGE, flag);
  }

  @Test
  void aMissingFileIsReportedBeforeTheClusterIsAsked() {
    cli()
        .run("run", "--vm", "x", "--cmd", "python3 x.py", "--file", dir.resolve("x.py").toString())
        .isOneLineError(ExitCodes.ERROR, "file not found: " + dir.resolve("x.py"));
  }

  @Test
  void statusWithoutADaemonSaysSoAndExitsWith3() throws IOException {
    CliRunner.Result text = cli().run("status");
    CliRunner.Result json = cli().run("status", "-o", "json");

    assertThat(text.exitCode()).isEqualTo(ExitCodes.NOT_RUNNING);
    assertThat(text.stdout()).contains("not running").contains("era up");
    JsonNode status = new ObjectMapper().readTree(json.stdout());
    assertThat(status.path("running").asBoolean(true)).isFalse();
    assertThat(json.exitCode()).isEqualTo(ExitCodes.NOT_RUNNING);
  }

  @Test
  void downWithoutADaemonIsNoError() {
    CliRunner.Result down = cli().run("down");

    assertThat(down.exitCode()).isZero();
    assertThat(down.stdout()).contains("not running");
  }

  @Test
  void kubeconfigNamingNoFileIsAnError() {
    cli()
        .withEnv("KUBECONFIG", dir.resolve("nothing").toString())
        .run("list")
        .isOneLineError(ExitCodes.ERROR, "KUBECONFIG names no file that exists");
  }

  @Test
  void anUnreachableClusterIsOneLineAndTheStackTraceComesWithDebug() throws IOException {
    Path kubeconfig =
        Files.writeString(
            dir.resolve("kubeconfig"),
            """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]
        users: [{name: u, user: {}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        """);
    CliRunner withCluster = cli().withEnv("KUBECONFIG", kubeconfig.toString());

    withCluster
        .run("list")
        .isOneLineError(ExitCodes.ERROR, "cannot reach the cluster in KUBECONFIG");
    CliRunner.Result debug = withCluster.run("list", "--debug");
    assertThat(debug.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(debug.stderr()).startsWith("era: cannot reach").contains("\tat ");
  }
}
