package dev.era.launcher.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Just enough QMP to run an argument-less command, such as {@code quit} when the guest did not
 * power off.
 */
final class Qmp {
  private Qmp() {}

  /**
   * Connects, negotiates capabilities and runs one argument-less command; gives up after {@code
   * timeout}.
   *
   * @return the command's {@code return} value
   */
  static JsonNode execute(
      Path socket, String command, Duration timeout, ScheduledExecutorService scheduler)
      throws IOException {
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      // Blocking channels have no read timeout: closing the channel from a timer unblocks the read.
      ScheduledFuture<?> watchdog =
          scheduler.schedule(
              () -> closeQuietly(channel), timeout.toMillis(), TimeUnit.MILLISECONDS);
      try {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        expect(in, "QMP"); // the greeting
        command(channel, in, "qmp_capabilities");
        return command(channel, in, command);
      } finally {
        watchdog.cancel(false);
      }
    }
  }

  private static JsonNode command(SocketChannel channel, BufferedReader in, String name)
      throws IOException {
    ByteBuffer request =
        ByteBuffer.wrap(("{\"execute\":\"" + name + "\"}\n").getBytes(StandardCharsets.UTF_8));
    while (request.hasRemaining()) {
      channel.write(request);
    }
    return expect(in, "return").get("return");
  }

  /** Reads messages until one has {@code key}; events in between are skipped. */
  private static JsonNode expect(BufferedReader in, String key) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      JsonNode message = StateFiles.JSON.readTree(line);
      if (message.has("error")) {
        throw new IOException("QMP error: " + message.get("error"));
      }
      if (message.has(key)) {
        return message;
      }
    }
    throw new IOException("QMP socket closed before '" + key + "'");
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
