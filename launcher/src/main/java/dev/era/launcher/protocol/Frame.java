package dev.era.launcher.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One protocol frame: a type, the request id it belongs to, and its fields in wire order.
 *
 * @param type the raw type byte (see {@link MessageType}); kept raw so that unknown types can be
 *     reported
 * @param id the request id, 0 for messages the guest sends on its own
 * @param fields the payload's fields, unknown tags included
 */
public record Frame(int type, int id, List<Field> fields) {
  public Frame {
    fields = List.copyOf(fields);
  }

  public static Builder builder(MessageType type, int id) {
    return new Builder(type.code(), id);
  }

  public Optional<MessageType> messageType() {
    return MessageType.of(type);
  }

  public boolean is(MessageType t) {
    return type == t.code();
  }

  /** Bytes of the payload on the wire. */
  public int payloadSize() {
    int size = 0;
    for (Field field : fields) {
      size += field.encodedSize();
    }
    return size;
  }

  /** The value of the first field with this tag. */
  public Optional<byte[]> bytes(Tag tag) {
    for (Field field : fields) {
      if (field.tag() == tag.code()) {
        return Optional.of(field.value());
      }
    }
    return Optional.empty();
  }

  public Optional<String> string(Tag tag) {
    return bytes(tag).map(v -> new String(v, StandardCharsets.UTF_8));
  }

  /** Every value of a repeatable string field, in order. */
  public List<String> strings(Tag tag) {
    List<String> values = new ArrayList<>();
    for (Field field : fields) {
      if (field.tag() == tag.code()) {
        values.add(new String(field.value(), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  public OptionalLong u32(Tag tag) throws ProtocolException {
    Optional<byte[]> v = bytes(tag);
    return v.isEmpty()
        ? OptionalLong.empty()
        : OptionalLong.of(Integer.toUnsignedLong(fixed(tag, v.get(), 4).getInt()));
  }

  public OptionalInt i32(Tag tag) throws ProtocolException {
    Optional<byte[]> v = bytes(tag);
    return v.isEmpty() ? OptionalInt.empty() : OptionalInt.of(fixed(tag, v.get(), 4).getInt());
  }

  public OptionalLong u64(Tag tag) throws ProtocolException {
    Optional<byte[]> v = bytes(tag);
    return v.isEmpty() ? OptionalLong.empty() : OptionalLong.of(fixed(tag, v.get(), 8).getLong());
  }

  /** A u8 flag; absent means false. */
  public boolean flag(Tag tag) throws ProtocolException {
    Optional<byte[]> v = bytes(tag);
    return v.isPresent() && fixed(tag, v.get(), 1).get() != 0;
  }

  private static ByteBuffer fixed(Tag tag, byte[] value, int size) throws ProtocolException {
    if (value.length != size) {
      throw new ProtocolException(
          "field " + tag + " has " + value.length + " bytes, expected " + size);
    }
    return ByteBuffer.wrap(value);
  }

  @Override
  public String toString() {
    return "Frame["
        + messageType().map(Enum::name).orElse("0x" + Integer.toHexString(type))
        + " id="
        + id
        + " fields="
        + fields.size()
        + "]";
  }

  /** Collects fields in order. */
  public static final class Builder {
    private final int type;
    private final int id;
    private final List<Field> fields = new ArrayList<>();

    private Builder(int type, int id) {
      this.type = type;
      this.id = id;
    }

    public Builder bytes(Tag tag, byte[] value) {
      fields.add(new Field(tag.code(), value.clone()));
      return this;
    }

    public Builder string(Tag tag, String value) {
      fields.add(new Field(tag.code(), value.getBytes(StandardCharsets.UTF_8)));
      return this;
    }

    public Builder u32(Tag tag, long value) {
      if (value < 0 || value > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(tag + " does not fit in 32 bits: " + value);
      }
      fields.add(new Field(tag.code(), ByteBuffer.allocate(4).putInt((int) value).array()));
      return this;
    }

    public Builder i32(Tag tag, int value) {
      fields.add(new Field(tag.code(), ByteBuffer.allocate(4).putInt(value).array()));
      return this;
    }

    public Builder u64(Tag tag, long value) {
      fields.add(new Field(tag.code(), ByteBuffer.allocate(8).putLong(value).array()));
      return this;
    }

    public Builder u8(Tag tag, int value) {
      fields.add(new Field(tag.code(), new byte[] {(byte) value}));
      return this;
    }

    /** A field with a raw tag, e.g. one a later protocol version defines. */
    public Builder raw(int tag, byte[] value) {
      fields.add(new Field(tag, value.clone()));
      return this;
    }

    public Frame build() {
      return new Frame(type, id, fields);
    }
  }
}
