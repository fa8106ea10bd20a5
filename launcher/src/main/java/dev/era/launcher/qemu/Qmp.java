package dev.era.launcher.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.era.launcher.host.UnixSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A QMP connection. It goes through libc rather than a JDK channel because it must be able to hand
 * QEMU a file descriptor ({@code getfd}): how a snapshot is written and read by a QEMU whose
 * sandbox forbids spawning {@code exec:} helpers.
 */
final class Qmp implements AutoCloseable {
  private final UnixSocket socket;

  private Qmp(UnixSocket socket) {
    this.socket = socket;
  }

  /** Connects and negotiates capabilities; every answer must come within {@code timeout}. */
  static Qmp open(Path qmpSocket, Duration timeout) throws IOException {
    Qmp session = new Qmp(UnixSocket.connect(qmpSocket, timeout));
    try {
      session.expect("QMP");
      session.execute("qmp_capabilities", null);
      return session;
    } catch (IOException e) {
      session.close();
      throw e;
    }
  }

  /**
   * Connects, runs one argument-less command (such as {@code quit} when the guest did not power
   * off) and disconnects; gives up after {@code timeout}.
   */
  static JsonNode execute(Path qmpSocket, String command, Duration timeout) throws IOException {
    try (Qmp qmp = open(qmpSocket, timeout)) {
      return qmp.execute(command, null);
    }
  }

  /** Runs a command with optional arguments and returns its {@code return} value. */
  JsonNode execute(String command, ObjectNode arguments) throws IOException {
    socket.write(request(command, arguments));
    return expect("return").get("return");
  }

  /** Hands QEMU {@code fd} under {@code name}, for a later {@code fd:<name>} migration URI. */
  void passFd(String name, int fd) throws IOException {
    socket.sendWithFd(request("getfd", arguments().put("fdname", name)), fd);
    expect("return");
  }

  /** The VM's run state, e.g. {@code running}, {@code paused}, {@code inmigrate}. */
  String status() throws IOException {
    return execute("query-status", null).path("status").asText();
  }

  static ObjectNode arguments() {
    return StateFiles.JSON.createObjectNode();
  }

  private static byte[] request(String command, ObjectNode arguments) throws IOException {
    ObjectNode request = StateFiles.JSON.createObjectNode().put("execute", command);
    if (arguments != null) {
      request.set("arguments", arguments);
    }
    return (StateFiles.JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Reads messages until one has {@code key}; events in between are skipped. */
  private JsonNode expect(String key) throws IOException {
    String line;
    while ((line = socket.readLine()) != null) {
      JsonNode message = StateFiles.JSON.readTree(line);
      if (message.has("error")) {
        throw new IOException("QMP error: " + message.get("error").path("desc").asText());
      }
      if (message.has(key)) {
        return message;
      }
    }
    throw new IOException("QMP socket closed before '" + key + "' (QEMU ended?)");
  }

  @Override
  public void close() {
    socket.close();
  }
}
