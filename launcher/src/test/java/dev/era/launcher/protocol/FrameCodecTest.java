package dev.era.launcher.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  /** The frame as it goes on the wire. */
  static byte[] bytes(Frame frame) throws Exception {
    ByteBuffer buffer = FrameCodec.encode(frame);
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  @Test
  void encodesTheDocumentedLayoutBigEndian() throws Exception {
    Frame hello = Frame.builder(MessageType.HELLO, 7).u32(Tag.VERSION, 1).build();

    assertThat(bytes(hello))
        .containsExactly(
            0, 0, 0, 14, // length: 5 + payload (9)
            0x01, // type HELLO
            0, 0, 0, 7, // id
            1, 0, 0, 0, 4, // tag VERSION, length 4
            0, 0, 0, 1); // value 1
  }

  @Test
  void roundTripsEveryFieldKind() throws Exception {
    Frame frame =
        Frame.builder(MessageType.EXEC, 0x7fff_fff0)
            .string(Tag.ARGV, "python3")
            .string(Tag.ARGV, "-c")
            .string(Tag.ARGV, "print('ü')")
            .string(Tag.ENV, "A=1")
            .bytes(Tag.STDIN, new byte[] {0, 1, 2, (byte) 255})
            .u32(Tag.TIMEOUT_MS, 0xFFFF_FFFFL)
            .i32(Tag.EXIT_CODE, -1)
            .u64(Tag.OFFSET, 1L << 40)
            .u8(Tag.TIMED_OUT, 1)
            .build();

    Frame decoded = FrameCodec.decode(bytes(frame));

    assertThat(decoded.is(MessageType.EXEC)).isTrue();
    assertThat(decoded.id()).isEqualTo(0x7fff_fff0);
    assertThat(decoded.strings(Tag.ARGV)).containsExactly("python3", "-c", "print('ü')");
    assertThat(decoded.string(Tag.ENV)).contains("A=1");
    assertThat(decoded.bytes(Tag.STDIN))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(0, 1, 2, 255));
    assertThat(decoded.u32(Tag.TIMEOUT_MS)).hasValue(0xFFFF_FFFFL);
    assertThat(decoded.i32(Tag.EXIT_CODE)).hasValue(-1);
    assertThat(decoded.u64(Tag.OFFSET)).hasValue(1L << 40);
    assertThat(decoded.flag(Tag.TIMED_OUT)).isTrue();
    assertThat(decoded.flag(Tag.STDOUT_TRUNCATED)).isFalse();
    assertThat(decoded.string(Tag.CWD)).isEmpty();
  }

  @Test
  void readsConsecutiveFramesAndReportsACleanEnd() throws Exception {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    stream.write(bytes(Frame.builder(MessageType.PING, 1).build()));
    stream.write(bytes(Frame.builder(MessageType.PONG, 1).build()));
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(stream.toByteArray()));

    assertThat(FrameCodec.read(in).is(MessageType.PING)).isTrue();
    assertThat(FrameCodec.read(in).is(MessageType.PONG)).isTrue();
    assertThat(FrameCodec.read(in)).isNull();
  }

  @Test
  void acceptsThePayloadMaximumAndRejectsOneByteMore() throws Exception {
    int overhead = 1 + 4;
    Frame largest =
        Frame.builder(MessageType.PUT_FILE, 1)
            .bytes(Tag.DATA, new byte[FrameCodec.MAX_PAYLOAD - overhead])
            .build();
    Frame tooLarge =
        Frame.builder(MessageType.PUT_FILE, 1)
            .bytes(Tag.DATA, new byte[FrameCodec.MAX_PAYLOAD - overhead + 1])
            .build();

    assertThat(FrameCodec.decode(bytes(largest)).bytes(Tag.DATA))
        .hasValueSatisfying(v -> assertThat(v).hasSize(FrameCodec.MAX_PAYLOAD - overhead));
    assertThatThrownBy(() -> FrameCodec.encode(tooLarge))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("maximum");
  }

  @Test
  void rejectsALengthOutsideTheAllowedRange() {
    byte[] tooLong =
        ByteBuffer.allocate(9)
            .putInt(5 + FrameCodec.MAX_PAYLOAD + 1)
            .put((byte) 0x80)
            .putInt(1)
            .array();
    byte[] tooShort = ByteBuffer.allocate(9).putInt(4).put((byte) 0x80).putInt(1).array();

    assertThatThrownBy(() -> FrameCodec.decode(tooLong))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("outside");
    assertThatThrownBy(() -> FrameCodec.decode(tooShort))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("outside");
  }

  @Test
  void reportsTruncatedInputAnywhereInsideAFrame() throws Exception {
    byte[] whole =
        bytes(Frame.builder(MessageType.STDOUT, 3).bytes(Tag.DATA, "hello".getBytes()).build());
    for (int cut = 1; cut < whole.length; cut++) {
      byte[] truncated = Arrays.copyOf(whole, cut);
      assertThatThrownBy(() -> FrameCodec.decode(truncated))
          .as("cut at %d", cut)
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void rejectsAFieldThatOverrunsItsFrame() {
    byte[] frame =
        ByteBuffer.allocate(4 + 5 + 5)
            .putInt(5 + 5)
            .put((byte) 0x91)
            .putInt(1)
            .put((byte) 13)
            .putInt(100)
            .array();

    assertThatThrownBy(() -> FrameCodec.decode(frame))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("claims 100 bytes");
  }

  @Test
  void ignoresUnknownTagsAndKeepsUnknownTypes() throws Exception {
    Frame future =
        Frame.builder(MessageType.EXIT, 9)
            .raw(200, "from a later version".getBytes())
            .i32(Tag.EXIT_CODE, 3)
            .raw(201, new byte[0])
            .build();
    Frame unknownType = new Frame(0x7e, 4, java.util.List.of());

    Frame decoded = FrameCodec.decode(bytes(future));
    Frame decodedUnknown = FrameCodec.decode(bytes(unknownType));

    assertThat(decoded.i32(Tag.EXIT_CODE)).hasValue(3);
    assertThat(decoded.fields()).hasSize(3);
    assertThat(decodedUnknown.messageType()).isEmpty();
    assertThat(decodedUnknown.type()).isEqualTo(0x7e);
  }

  @Test
  void rejectsANumberOfTheWrongWidth() throws Exception {
    Frame frame =
        FrameCodec.decode(
            bytes(
                Frame.builder(MessageType.EXIT, 1).raw(Tag.EXIT_CODE.code(), new byte[2]).build()));

    assertThatThrownBy(() -> frame.i32(Tag.EXIT_CODE))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("EXIT_CODE");
  }
}
