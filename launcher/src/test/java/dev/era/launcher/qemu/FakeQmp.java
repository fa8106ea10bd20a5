package dev.era.launcher.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A QMP server for one client: greets, then answers each command with what the script returns (a
 * JSON line), or hangs up where the script returns null, as a QEMU that exits would.
 */
final class FakeQmp implements AutoCloseable {
  private final ServerSocketChannel server;
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private final Thread thread;

  FakeQmp(Path socket, Function<String, String> script) throws IOException {
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    thread = new Thread(() -> serve(script), "fake-qmp");
    thread.setDaemon(true);
    thread.start();
  }

  /** The commands received, in order. */
  List<String> commands() {
    return commands;
  }

  static String ok(String returnValue) {
    return "{\"return\": " + returnValue + "}";
  }

  private void serve(Function<String, String> script) {
    try (SocketChannel client = server.accept()) {
      Writer out = Channels.newWriter(client, StandardCharsets.UTF_8);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
      out.write("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n");
      out.flush();
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode request = StateFiles.JSON.readTree(line);
        String command = request.get("execute").asText();
        commands.add(command);
        String answer = command.equals("qmp_capabilities") ? ok("{}") : script.apply(command);
        if (answer == null) {
          return;
        }
        out.write("{\"event\": \"NOISE\"}\n" + answer + "\n");
        out.flush();
      }
    } catch (IOException e) {
      // the client left
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
