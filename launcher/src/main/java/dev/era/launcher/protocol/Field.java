package dev.era.launcher.protocol;

/**
 * One TLV field of a frame's payload. {@code tag} is the raw byte so that unknown tags survive
 * decoding.
 */
public record Field(int tag, byte[] value) {
  /** Bytes this field takes on the wire: tag, length, value. */
  int encodedSize() {
    return 1 + 4 + value.length;
  }
}
