package dev.era.launcher.protocol;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes frames: {@code length u32 | type u8 | id u32 | fields}, each field {@code tag
 * u8 | length u32 | value}; big-endian (docs/guest-protocol.md).
 */
public final class FrameCodec {
  /** The protocol version this launcher speaks. */
  public static final int VERSION = 2;

  public static final int MAX_PAYLOAD = 1 << 20;

  /** Type and id: the part of {@code length} that is not payload. */
  static final int HEADER_AFTER_LENGTH = 5;

  static final int MAX_LENGTH = HEADER_AFTER_LENGTH + MAX_PAYLOAD;

  private FrameCodec() {}

  /**
   * The frame as wire bytes, ready to write; fails when the payload passes {@link #MAX_PAYLOAD}.
   */
  public static ByteBuffer encode(Frame frame) throws ProtocolException {
    int payload = frame.payloadSize();
    if (payload > MAX_PAYLOAD) {
      throw new ProtocolException(
          "frame payload of "
              + payload
              + " bytes is larger than the protocol's maximum of "
              + MAX_PAYLOAD
              + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.allocate(4 + HEADER_AFTER_LENGTH + payload);
    buffer.putInt(HEADER_AFTER_LENGTH + payload).put((byte) frame.type()).putInt(frame.id());
    for (Field field : frame.fields()) {
      buffer.put((byte) field.tag()).putInt(field.value().length).put(field.value());
    }
    return buffer.flip();
  }

  /**
   * Reads the next frame from a blocking stream.
   *
   * @return the frame, or null when the stream ended cleanly between frames
   * @throws ProtocolException when the stream ends inside a frame or the frame is malformed
   */
  public static Frame read(DataInputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    try {
      byte[] rest = new byte[3];
      in.readFully(rest);
      long length =
          Integer.toUnsignedLong(
              first << 24 | (rest[0] & 0xFF) << 16 | (rest[1] & 0xFF) << 8 | rest[2] & 0xFF);
      if (length < HEADER_AFTER_LENGTH || length > MAX_LENGTH) {
        throw new ProtocolException(
            "frame length " + length + " is outside " + HEADER_AFTER_LENGTH + ".." + MAX_LENGTH);
      }
      int type = in.readUnsignedByte();
      int id = in.readInt();
      byte[] payload = new byte[(int) length - HEADER_AFTER_LENGTH];
      in.readFully(payload);
      return new Frame(type, id, decodeFields(payload));
    } catch (EOFException e) {
      throw new ProtocolException("the stream ended inside a frame (truncated frame)");
    }
  }

  /** Decodes one frame from a byte array holding exactly the frame. */
  public static Frame decode(byte[] bytes) throws IOException {
    return read(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  static List<Field> decodeFields(byte[] payload) throws ProtocolException {
    List<Field> fields = new ArrayList<>();
    ByteBuffer buffer = ByteBuffer.wrap(payload);
    while (buffer.hasRemaining()) {
      if (buffer.remaining() < 5) {
        throw new ProtocolException(
            "truncated field header at payload offset " + buffer.position());
      }
      int tag = buffer.get() & 0xFF;
      long length = Integer.toUnsignedLong(buffer.getInt());
      if (length > buffer.remaining()) {
        throw new ProtocolException(
            "field with tag "
                + tag
                + " claims "
                + length
                + " bytes but only "
                + buffer.remaining()
                + " remain in the frame");
      }
      byte[] value = new byte[(int) length];
      buffer.get(value);
      fields.add(new Field(tag, value));
    }
    return fields;
  }

  /** Reads frames from any input stream (wraps it once). */
  public static DataInputStream stream(InputStream in) {
    return new DataInputStream(new BufferedInputStream(in, 1 << 16));
  }
}
