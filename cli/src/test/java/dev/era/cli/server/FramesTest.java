package dev.era.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FramesTest {
  private static final byte[] KIB = new byte[1024];

  @Test
  void framesArriveInOrderAndEndWithTheExitCode() throws Exception {
    Pipe pipe = Pipe.open();
    Frames frames = Frames.to(pipe.sink());
    frames.stream(Frames.STDOUT).write("out".getBytes());
    frames.stream(Frames.STDERR).write("err".getBytes());
    CompletableFuture<Void> finished = CompletableFuture.runAsync(() -> frames.finish(7));

    DataInputStream in = new DataInputStream(Channels.newInputStream(pipe.source()));
    assertThat(readFrame(in)).isEqualTo("1out");
    assertThat(readFrame(in)).isEqualTo("2err");
    assertThat(in.readByte()).isEqualTo(Frames.EXIT);
    assertThat(in.readInt()).isEqualTo(4);
    assertThat(in.readInt()).isEqualTo(7);
    finished.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aClientThatDoesNotReadHoldsTheCommandBackRatherThanTheHeapFillingUp() throws Exception {
    Pipe pipe = Pipe.open();
    OutputStream out = Frames.to(pipe.sink()).stream(Frames.STDOUT);
    CompletableFuture<Void> flood =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 0; i < 64 * 1024; i++) { // 64 MiB
                  out.write(KIB);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(1000);
    assertThat(flood).isNotDone();

    DataInputStream in = new DataInputStream(Channels.newInputStream(pipe.source()));
    for (int i = 0; i < 64 * 1024; i++) {
      assertThat(readFrame(in)).hasSize(1 + KIB.length);
    }
    flood.get(30, TimeUnit.SECONDS);
  }

  @Test
  void onceTheClientIsGoneOutputIsDroppedWithoutWaiting() throws Exception {
    Pipe pipe = Pipe.open();
    pipe.source().close();
    Frames frames = Frames.to(pipe.sink());
    OutputStream out = frames.stream(Frames.STDOUT);
    CompletableFuture<Void> flood =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 0; i < 64 * 1024; i++) {
                  out.write(KIB);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              frames.finish(0);
            });
    flood.get(30, TimeUnit.SECONDS);
  }

  /** A frame's type and payload as text. */
  private static String readFrame(DataInputStream in) throws Exception {
    byte type = in.readByte();
    byte[] payload = in.readNBytes(in.readInt());
    return (char) type + new String(payload);
  }
}
