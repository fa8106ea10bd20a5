package dev.era.launcher.guest;

import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.LaunchException;
import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.MessageType;
import dev.era.launcher.protocol.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** PUT_FILE and GET_FILE over a guest connection, in chunks that fit the protocol's frames. */
public final class GuestFiles {
  /**
   * Bytes per PUT_FILE frame: well under the 1 MiB frame limit, small enough to interleave with
   * other traffic.
   */
  static final int PUT_CHUNK = 256 * 1024;

  /** FILE_DATA chunks (at most 256 KiB each) buffered between the reader thread and the caller. */
  static final int GET_QUEUE_CHUNKS = 16;

  private final GuestConnection connection;
  private final String vmId;
  private final Duration answerTimeout;

  public GuestFiles(GuestConnection connection, String vmId, Duration answerTimeout) {
    this.connection = connection;
    this.vmId = vmId;
    this.answerTimeout = answerTimeout;
  }

  /**
   * Writes {@code content} to {@code path} under /work, chunk by chunk, each acknowledged before
   * the next.
   */
  public void put(String path, InputStream content, int mode) {
    String guestPath = WorkPaths.resolve(path);
    if (mode < 0 || mode > 07777) {
      throw new InvalidSpecException(
          "file mode " + Integer.toOctalString(mode) + " is not a permission mode (0..07777)");
    }
    byte[] buffer = new byte[PUT_CHUNK];
    long offset = 0;
    do {
      int n = readChunk(content, buffer, path);
      byte[] data = n == buffer.length ? buffer : Arrays.copyOf(buffer, n);
      Frame put =
          Frame.builder(MessageType.PUT_FILE, connection.nextId())
              .string(Tag.PATH, guestPath)
              .u32(Tag.MODE, mode)
              .u64(Tag.OFFSET, offset)
              .bytes(Tag.DATA, data)
              .build();
      Futures.await(
          connection.call(put, "writing " + guestPath),
          answerTimeout,
          "VM " + vmId + "'s guest agent did not acknowledge writing " + guestPath);
      offset += n;
      if (n < buffer.length) {
        return;
      }
    } while (true);
  }

  /** Copies {@code path} under /work into {@code out}; returns the number of bytes copied. */
  public long get(String path, OutputStream out) {
    String guestPath = WorkPaths.resolve(path);
    int id = connection.nextId();
    // Bounded, so a slow OutputStream holds back the guest (through the agent's flow control)
    // rather than
    // filling the host's memory; the reader thread gives up on the transfer if the consumer stalls
    // for good.
    BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(GET_QUEUE_CHUNKS);
    connection.send(
        Frame.builder(MessageType.GET_FILE, id).string(Tag.PATH, guestPath).build(),
        new FrameHandler() {
          @Override
          public boolean onFrame(Frame frame) {
            if (frame.is(MessageType.FILE_DATA)) {
              return !hand(chunks, new Chunk.Data(frame.bytes(Tag.DATA).orElse(new byte[0])));
            }
            if (frame.is(MessageType.ERROR)) {
              hand(
                  chunks,
                  new Chunk.Failed(GuestAgentException.from(frame, vmId, "reading " + guestPath)));
            } else {
              hand(chunks, new Chunk.End());
            }
            return true;
          }

          @Override
          public void onClose(LaunchException cause) {
            hand(chunks, new Chunk.Failed(cause));
          }
        });
    long copied = 0;
    try {
      while (true) {
        Chunk chunk = chunks.poll(answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (chunk == null) {
          throw new LaunchException(
              "VM "
                  + vmId
                  + "'s guest agent stopped sending "
                  + guestPath
                  + " for "
                  + answerTimeout.toSeconds()
                  + " s");
        }
        if (chunk instanceof Chunk.Data data) {
          out.write(data.bytes());
          copied += data.bytes().length;
        } else if (chunk instanceof Chunk.Failed failed) {
          throw new LaunchException(failed.cause().getMessage(), failed.cause());
        } else {
          return copied;
        }
      }
    } catch (IOException e) {
      throw new LaunchException(
          "cannot write " + guestPath + " from VM " + vmId + " to the output: " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted while reading " + guestPath + " from VM " + vmId, e);
    } finally {
      connection.forget(id);
      chunks.clear();
    }
  }

  /**
   * Hands a chunk to the consumer, waiting while it catches up; false when it stalled past the
   * timeout.
   */
  private boolean hand(BlockingQueue<Chunk> chunks, Chunk chunk) {
    try {
      return chunks.offer(chunk, answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int readChunk(InputStream content, byte[] buffer, String path) {
    try {
      return Math.max(content.readNBytes(buffer, 0, buffer.length), 0);
    } catch (IOException e) {
      throw new LaunchException("cannot read the content for " + path + ": " + e.getMessage(), e);
    }
  }

  /** What the reader thread hands to the thread that writes the output. */
  private sealed interface Chunk {
    record Data(byte[] bytes) implements Chunk {}

    record End() implements Chunk {}

    record Failed(LaunchException cause) implements Chunk {}
  }
}
