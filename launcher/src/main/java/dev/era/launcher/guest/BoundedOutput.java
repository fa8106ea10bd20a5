package dev.era.launcher.guest;

import java.io.ByteArrayOutputStream;

/**
 * Counts a stream against {@code limit} bytes, remembering whether more came, and keeps what fits
 * unless it only counts (the output is streamed elsewhere).
 */
final class BoundedOutput {
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final int limit;
  private final boolean keep;
  private long received;

  BoundedOutput(int limit, boolean keep) {
    this.limit = limit;
    this.keep = keep;
  }

  void append(byte[] chunk) {
    long room = limit - received;
    received += chunk.length;
    if (keep && room > 0) {
      kept.write(chunk, 0, (int) Math.min(room, chunk.length));
    }
  }

  byte[] bytes() {
    return kept.toByteArray();
  }

  boolean truncated() {
    return received > limit;
  }
}
