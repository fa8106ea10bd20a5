package dev.era.nodeagent.logs;

import dev.era.launcher.ExecListener;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The output of one run while it runs: appended to files on the node (the full logs, each at most
 * {@code maxBytes}: the guest is asked to send no more, and a guest that sends more anyway has the
 * rest dropped here) and to bounded tails in memory (for the status). Followers of the HTTP
 * endpoint wait here for more.
 */
public final class RunLog implements ExecListener {
  private static final Logger LOG = Logger.getLogger(RunLog.class);

  public enum Stream {
    stdout,
    stderr
  }

  private final Path dir;
  private final Map<Stream, OutputStream> files = new EnumMap<>(Stream.class);
  private final Map<Stream, OutputTail> tails = new EnumMap<>(Stream.class);
  private final Map<Stream, Long> written = new EnumMap<>(Stream.class);
  private final Map<Stream, Boolean> dropped = new EnumMap<>(Stream.class);
  private final long maxBytes;
  private boolean finished;
  private boolean writeFailed;

  /**
   * @param resume continue the files there (and their tails) instead of starting them empty
   */
  RunLog(Path dir, int tailBytes, long maxBytes, boolean resume) throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    for (Stream s : Stream.values()) {
      Path file = file(dir, s);
      boolean continued = resume && Files.exists(file);
      tails.put(s, continued ? OutputTail.ofFile(file, tailBytes) : new OutputTail(tailBytes));
      written.put(s, continued ? Files.size(file) : 0L);
      dropped.put(s, false);
      files.put(s, new FileOutputStream(file.toFile(), continued));
    }
  }

  static Path file(Path dir, Stream stream) {
    return dir.resolve(stream.name());
  }

  public Path file(Stream stream) {
    return file(dir, stream);
  }

  @Override
  public void onStdout(byte[] chunk) {
    append(Stream.stdout, chunk);
  }

  @Override
  public void onStderr(byte[] chunk) {
    append(Stream.stderr, chunk);
  }

  /**
   * Appends a chunk, or what of it fits under the limit; a log that failed to write keeps its tail
   * and says so once in the agent log.
   */
  public synchronized void append(Stream stream, byte[] bytes) {
    if (finished) {
      return;
    }
    long room = maxBytes - written.get(stream);
    if (bytes.length > room) {
      dropped.put(stream, true);
      if (room <= 0) {
        return;
      }
    }
    byte[] chunk = bytes.length > room ? Arrays.copyOf(bytes, (int) room) : bytes;
    try {
      files.get(stream).write(chunk);
    } catch (IOException e) {
      if (!writeFailed) {
        LOG.warnf("cannot write the log %s: %s", file(stream), e.getMessage());
        writeFailed = true;
      }
    }
    tails.get(stream).append(chunk);
    written.merge(stream, (long) chunk.length, Long::sum);
    notifyAll();
  }

  /** Whether output past the limit was dropped here. */
  public synchronized boolean dropped(Stream stream) {
    return dropped.get(stream);
  }

  public synchronized OutputTail tail(Stream stream) {
    return tails.get(stream);
  }

  public synchronized boolean isFinished() {
    return finished;
  }

  /** Closes the files: nothing more is appended, and followers stop once they have read it all. */
  public synchronized void finish() {
    if (finished) {
      return;
    }
    finished = true;
    for (OutputStream out : files.values()) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.debugf("closing a log in %s: %s", dir, e.getMessage());
      }
    }
    notifyAll();
  }

  /**
   * Waits until the stream holds more than {@code position} bytes or the log is finished, at most
   * {@code max}.
   */
  public synchronized void awaitBeyond(Stream stream, long position, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!finished && written.get(stream) <= position) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
