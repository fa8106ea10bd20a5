package dev.era.cli.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.era.cli.CliRunner;
import dev.era.cli.CliRunner.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command server and {@code era-client}, as {@code ./era} runs them: a command answers
 * as it does in a JVM of its own, with the client's directory and environment; Ctrl-C reaches it;
 * nobody but its user gets an answer; an idle server goes away.
 */
class CommandServerIT {
  private static final Path CLIENT = CliRunner.REPO_ROOT.resolve("cli/target/era-client");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private Path sockets;
  private Path socket;
  private Process server;
  private CliRunner cli;

  @BeforeEach
  void start() throws Exception {
    sockets = Files.createDirectory(dir.resolve("sockets"));
    Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwx------"));
    socket = sockets.resolve("server.sock");
    cli = CliRunner.isolated(dir);
    server = startServer(Duration.ofMinutes(5));
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.destroyForcibly().waitFor();
  }

  @Test
  void aCommandAnswersAsInAJvmOfItsOwn() throws Exception {
    for (String[] args :
        List.of(new String[] {"--version"}, new String[] {"list"}, new String[] {"nonsense"})) {
      Result direct = cli.runJar(TIMEOUT, args);
      Result served = client(dir, cli.env(), args);
      assertThat(served).as(String.join(" ", args)).isEqualTo(direct);
    }
    assertThat(client(dir, cli.env(), "list").stderr()).contains("no control plane running");
  }

  @Test
  void relativePathsStartFromTheClientsDirectory() throws Exception {
    Path work = Files.createDirectory(dir.resolve("work"));
    assertThat(
            client(work, cli.env(), "run", "--vm", "v", "--cmd", "true", "--file", "data.txt")
                .stderr())
        .contains("file not found: " + work.resolve("data.txt"));

    Files.writeString(work.resolve("cluster.yaml"), kubeconfig(closedPort()));
    Map<String, String> env = cli.withEnv("KUBECONFIG", "cluster.yaml").env();
    assertThat(client(work, env, "list").stderr())
        .contains("the cluster in KUBECONFIG (" + work.resolve("cluster.yaml") + ")");
  }

  @Test
  void ctrlCInterruptsTheCommandAndTheServerGoesOn() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept()); // and never answer
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      acceptor.start();
      Files.writeString(dir.resolve("silent.yaml"), kubeconfig(silent.getLocalPort()));
      Process list =
          clientProcess(dir, cli.withEnv("KUBECONFIG", "silent.yaml").env(), "list").start();
      await().atMost(TIMEOUT).until(() -> !accepted.isEmpty());
      assertThat(list.waitFor(1, TimeUnit.SECONDS)).as("waiting for the silent server").isFalse();

      new ProcessBuilder("kill", "-INT", String.valueOf(list.pid())).start().waitFor();

      assertThat(list.waitFor(10, TimeUnit.SECONDS)).as("the command ended on Ctrl-C").isTrue();
      assertThat(list.exitValue()).isNotZero();
      assertThat(new String(list.getErrorStream().readAllBytes())).contains("cannot reach");
    }
    assertThat(client(dir, cli.env(), "--version").exitCode()).isZero();
  }

  @Test
  void commandsAtOnceEachGetTheirOwnOutput() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Result>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String[] args = i % 2 == 0 ? new String[] {"--version"} : new String[] {"list"};
        results.add(threads.submit(() -> client(dir, cli.env(), args)));
      }
      for (int i = 0; i < results.size(); i++) {
        Result result = results.get(i).get();
        if (i % 2 == 0) {
          assertThat(result.stdout()).startsWith("era ").doesNotContain("no control plane");
          assertThat(result.stderr()).isEmpty();
        } else {
          assertThat(result.stdout()).isEmpty();
          assertThat(result.stderr()).startsWith("era: no control plane running").hasLineCount(1);
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void anotherUsersProcessGetsNoAnswer() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "needs root to run the client as another user (setpriv)");
    // Opened up on purpose: the directory's mode is what keeps others out; the server checks too.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    List<String> asNobody =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                CLIENT.toString(),
                socket.toString(),
                "--version"));
    Result result = run(new ProcessBuilder(asNobody).directory(Path.of("/").toFile()));
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stdout()).isEmpty();
    // It reached the server (the socket let it connect), which closed without a word.
    assertThat(result.stderr())
        .doesNotContain("cannot reach")
        .containsAnyOf("lost the command server", "ended without an exit code");
  }

  @Test
  void anIdleServerLeavesAndTakesItsSocket() throws Exception {
    server.destroyForcibly().waitFor();
    server = startServer(Duration.ofSeconds(1));
    assertThat(client(dir, cli.env(), "--version").exitCode()).isZero();
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the server left").isTrue();
    assertThat(socket).doesNotExist();
    assertThat(run(new ProcessBuilder(CLIENT.toString(), "--probe", socket.toString())).exitCode())
        .isEqualTo(1);
  }

  @Test
  void theScriptStartsAServerAndHandsItTheNextCommands() throws Exception {
    Path runtime = Files.createDirectory(dir.resolve("run"));
    Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
    CliRunner script =
        cli.withEnv("ERA_COMMAND_SERVER", "on").withEnv("XDG_RUNTIME_DIR", runtime.toString());
    Result first = script.runShell(TIMEOUT, "./era --version");
    try {
      await()
          .atMost(TIMEOUT)
          .until(() -> serverSocket(runtime).map(s -> probe(s) == 0).orElse(false));
      Path started = serverSocket(runtime).orElseThrow();
      assertThat(Files.getPosixFilePermissions(started))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(script.runShell(TIMEOUT, "./era --version")).isEqualTo(first);
      assertThat(script.runShell(TIMEOUT, "./era list").stderr())
          .startsWith("era: no control plane running");
    } finally {
      ProcessHandle.allProcesses()
          .filter(p -> p.info().commandLine().orElse("").contains(runtime.toString()))
          .forEach(ProcessHandle::destroy);
    }
  }

  @Test
  void withoutAServerTheClientRunsTheScriptInstead() throws Exception {
    Path script = dir.resolve("fallback.sh");
    Files.writeString(
        script, "#!/bin/sh\necho \"fallback=$ERA_CLIENT_FALLBACK args=$*\"\nexit 7\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    Path runtime = Files.createDirectory(dir.resolve("run"));
    ProcessBuilder client =
        new ProcessBuilder(
            CLIENT.toString(), "--run", CliRunner.JAR.toString(), script.toString(), "list", "-o");
    client.environment().put("XDG_RUNTIME_DIR", runtime.toString());
    Result result = run(client);
    assertThat(result.exitCode()).isEqualTo(7);
    assertThat(result.stdout()).isEqualTo("fallback=1 args=list -o\n");
  }

  @Test
  void theSocketLivesOnlyInADirectoryOfTheUsersOwn() throws Exception {
    Path runtime = Files.createDirectory(dir.resolve("run"));
    ProcessBuilder socketOf =
        new ProcessBuilder(CLIENT.toString(), "--socket", CliRunner.JAR.toString());
    socketOf.environment().put("XDG_RUNTIME_DIR", runtime.toString());
    Result made = run(socketOf);
    assertThat(made.exitCode()).isZero();
    assertThat(made.stdout()).matches(runtime.resolve("era-cli") + "/server-[0-9a-f]{16}\\.sock\n");
    assertThat(Files.getPosixFilePermissions(runtime.resolve("era-cli")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(run(socketOf).stdout()).as("the same jar, the same server").isEqualTo(made.stdout());

    Files.setPosixFilePermissions(
        runtime.resolve("era-cli"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Result refused = run(socketOf);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stdout()).isEmpty();
  }

  private static Optional<Path> serverSocket(Path runtime) throws IOException {
    Path serverDir = runtime.resolve("era-cli");
    if (!Files.isDirectory(serverDir)) {
      return Optional.empty();
    }
    try (var files = Files.list(serverDir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".sock")).findFirst();
    }
  }

  private static int probe(Path socket) {
    try {
      return run(new ProcessBuilder(CLIENT.toString(), "--probe", socket.toString())).exitCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private Process startServer(Duration idle) throws IOException {
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                CliRunner.JAR.toString(),
                CommandServer.class.getName(),
                socket.toString(),
                String.valueOf(idle.toSeconds()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                run(new ProcessBuilder(CLIENT.toString(), "--probe", socket.toString())).exitCode()
                    == 0);
    return process;
  }

  private ProcessBuilder clientProcess(Path cwd, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(CLIENT.toString(), socket.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    return builder;
  }

  private Result client(Path cwd, Map<String, String> env, String... args) throws Exception {
    return run(clientProcess(cwd, env, args));
  }

  private static Result run(ProcessBuilder builder) throws Exception {
    Process process = builder.start();
    ExecutorService readers = Executors.newFixedThreadPool(2);
    try {
      Future<byte[]> out = readers.submit(() -> process.getInputStream().readAllBytes());
      Future<byte[]> err = readers.submit(() -> process.getErrorStream().readAllBytes());
      assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      return new Result(process.exitValue(), new String(out.get()), new String(err.get()));
    } finally {
      readers.shutdownNow();
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String kubeconfig(int port) {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:"
            + port
            + "', insecure-skip-tls-verify: true}}]",
        "users: [{name: u, user: {token: t}}]",
        "contexts: [{name: x, context: {cluster: c, user: u}}]",
        "current-context: x",
        "");
  }
}
