package dev.era.cli.server;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the server sends {@code era-client}: frames of a type byte, a 32-bit big-endian length and
 * that many bytes. {@code 1} and {@code 2} carry stdout and stderr; {@code X} ends the command with
 * its exit code (4 bytes).
 *
 * <p>A thread of its own writes them, in order: a command that Ctrl-C interrupted may still print
 * why it stopped, and an interrupted thread would close the socket by writing to it.
 */
final class Frames {
  static final byte STDOUT = '1';
  static final byte STDERR = '2';
  static final byte EXIT = 'X';

  /** What the client sends while the command runs: Ctrl-C (or another ending signal) was hit. */
  static final int CANCEL = 'C';

  /** How long the last frames may take to reach a client that stopped reading. */
  private static final Duration FINISH_WAIT = Duration.ofSeconds(30);

  /**
   * Frames not yet written, at most this many (about 2 MiB of output): a client that reads slowly
   * slows its command down rather than filling the server's heap.
   */
  private static final int QUEUED_FRAMES = 256;

  private final BlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>(QUEUED_FRAMES);
  private final CountDownLatch written = new CountDownLatch(1);
  private volatile boolean gone;

  private Frames() {}

  /** Starts writing frames to {@code channel}. */
  static Frames to(WritableByteChannel channel) {
    Frames frames = new Frames();
    Thread writer = new Thread(() -> frames.write(channel), "era-command-output");
    writer.setDaemon(true);
    writer.start();
    return frames;
  }

  /** One of the command's streams, each write a frame. */
  OutputStream stream(byte type) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > 0) {
          send(frame(type, length).put(bytes, offset, length).flip());
        }
      }
    };
  }

  /**
   * Queues a frame; dropped once the client is gone. Only a full queue waits, so that a cancelled
   * command's last words still go out.
   */
  private void send(ByteBuffer frame) throws IOException {
    if (gone || queue.offer(frame)) {
      return;
    }
    try {
      while (!gone && !queue.offer(frame, 100, TimeUnit.MILLISECONDS)) {
        // The client reads slowly: wait for room.
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("the command was cancelled");
    }
  }

  /** Sends the exit code after everything written before, and waits until it is written. */
  void finish(int exitCode) {
    try {
      send(frame(EXIT, 4).putInt(exitCode).flip());
      written.await(FINISH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      // Interrupted: the client left.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(WritableByteChannel channel) {
    try {
      while (true) {
        ByteBuffer frame = queue.take();
        boolean last = frame.get(0) == EXIT;
        while (frame.hasRemaining()) {
          channel.write(frame);
        }
        if (last) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // The client is gone: what is left has no reader.
    } finally {
      gone = true;
      queue.clear();
      written.countDown();
    }
  }

  private static ByteBuffer frame(byte type, int length) {
    return ByteBuffer.allocate(5 + length).put(type).putInt(length);
  }
}
