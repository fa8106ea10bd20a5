package dev.era.nodeagent.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The last {@code capacity} bytes of a stream, and how many bytes the stream had in all. */
public final class OutputTail {
  private final byte[] ring;
  private long total;

  public OutputTail(int capacity) {
    this.ring = new byte[capacity];
  }

  public synchronized void append(byte[] chunk) {
    int n = chunk.length;
    int from = Math.max(0, n - ring.length);
    for (int i = from; i < n; i++) {
      ring[(int) ((total + i) % ring.length)] = chunk[i];
    }
    total += n;
  }

  public synchronized long total() {
    return total;
  }

  /** The kept bytes, oldest first. */
  public synchronized byte[] bytes() {
    int kept = (int) Math.min(total, ring.length);
    byte[] out = new byte[kept];
    long start = total - kept;
    for (int i = 0; i < kept; i++) {
      out[i] = ring[(int) ((start + i) % ring.length)];
    }
    return out;
  }

  /** Whether bytes were dropped off the front. */
  public synchronized boolean cut() {
    return total > ring.length;
  }

  /**
   * The tail as text; a tail that was cut may start inside a UTF-8 sequence, whose rest is dropped.
   */
  public String text() {
    byte[] bytes = bytes();
    return text(bytes, cut());
  }

  static String text(byte[] bytes, boolean cut) {
    int start = 0;
    if (cut) {
      while (start < bytes.length && start < 3 && (bytes[start] & 0xC0) == 0x80) {
        start++;
      }
    }
    return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
  }

  /** The tail of a file on disk (a run whose output is no longer in memory). */
  public static OutputTail ofFile(Path file, int capacity) throws IOException {
    OutputTail tail = new OutputTail(capacity);
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      int kept = (int) Math.min(length, capacity);
      byte[] bytes = new byte[kept];
      in.seek(length - kept);
      in.readFully(bytes);
      tail.total = length - kept;
      tail.append(bytes);
    }
    return tail;
  }
}
