package dev.era.launcher.guest;

import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.FrameCodec;
import dev.era.launcher.protocol.MessageType;
import dev.era.launcher.protocol.Tag;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The guest side of an agent channel, scripted by a test: listens where QEMU's chardev socket
 * would.
 */
final class FakeGuestAgent implements AutoCloseable {
  private final ServerSocketChannel server;
  private SocketChannel peer;
  private DataInputStream in;

  FakeGuestAgent(Path socket) throws IOException {
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
  }

  void accept() throws IOException {
    peer = server.accept();
    in = FrameCodec.stream(Channels.newInputStream(peer));
  }

  Frame read() throws IOException {
    return FrameCodec.read(in);
  }

  void send(Frame frame) throws IOException {
    ByteBuffer bytes = FrameCodec.encode(frame);
    while (bytes.hasRemaining()) {
      peer.write(bytes);
    }
  }

  void sendRaw(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      peer.write(buffer);
    }
  }

  void hello(int id, int version) throws IOException {
    send(
        Frame.builder(MessageType.HELLO_REPLY, id)
            .u32(Tag.VERSION, version)
            .string(Tag.AGENT, "fake-agent 1")
            .build());
  }

  void disconnect() throws IOException {
    peer.close();
  }

  @Override
  public void close() throws IOException {
    if (peer != null) {
      peer.close();
    }
    server.close();
  }
}
