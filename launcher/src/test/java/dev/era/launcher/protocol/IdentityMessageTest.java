package dev.era.launcher.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.GuestIdentity;
import dev.era.launcher.InvalidSpecException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IdentityMessageTest {
  private static final byte[] ENTROPY = new byte[32];

  static {
    Arrays.fill(ENTROPY, (byte) 0xA5);
  }

  @Test
  void encodesTheDocumentedLayout() throws Exception {
    IdentityMessage message =
        new IdentityMessage(ENTROPY, Instant.ofEpochSecond(1, 2), new GuestIdentity("ns/vm", "vm"));

    byte[] wire = FrameCodecTest.bytes(message.toFrame(9));

    ByteBuffer expected =
        ByteBuffer.allocate(4 + 5 + (5 + 32) + (5 + 8) + (5 + 2) + (5 + 5))
            .putInt(5 + (5 + 32) + (5 + 8) + (5 + 2) + (5 + 5))
            .put((byte) 0x31) // IDENTITY
            .putInt(9)
            .put((byte) 25) // ENTROPY
            .putInt(32)
            .put(ENTROPY)
            .put((byte) 26) // TIME_NS
            .putInt(8)
            .putLong(1_000_000_002L)
            .put((byte) 27) // HOSTNAME
            .putInt(2)
            .put("vm".getBytes())
            .put((byte) 28) // VM_ID
            .putInt(5)
            .put("ns/vm".getBytes());
    assertThat(wire).containsExactly(expected.array());
  }

  @Test
  void decodesWhatItEncodes() throws Exception {
    IdentityMessage sent =
        new IdentityMessage(
            ENTROPY,
            Instant.parse("2026-12-05T10:00:00.123456789Z"),
            new GuestIdentity("team-a/worker-7", "worker-7.example"));

    IdentityMessage received =
        IdentityMessage.of(FrameCodec.decode(FrameCodecTest.bytes(sent.toFrame(3))));

    assertThat(received.entropy()).containsExactly(ENTROPY);
    assertThat(received.time()).isEqualTo(sent.time());
    assertThat(received.identity()).isEqualTo(sent.identity());
  }

  @Test
  void aFrameWithoutAFieldOrWithABadValueIsAProtocolError() throws Exception {
    Frame noHostname =
        Frame.builder(MessageType.IDENTITY, 1)
            .bytes(Tag.ENTROPY, ENTROPY)
            .u64(Tag.TIME_NS, 0)
            .string(Tag.VM_ID, "vm")
            .build();
    Frame shortEntropy =
        Frame.builder(MessageType.IDENTITY, 1)
            .bytes(Tag.ENTROPY, new byte[8])
            .u64(Tag.TIME_NS, 0)
            .string(Tag.HOSTNAME, "vm")
            .string(Tag.VM_ID, "vm")
            .build();
    Frame badHostname =
        Frame.builder(MessageType.IDENTITY, 1)
            .bytes(Tag.ENTROPY, ENTROPY)
            .u64(Tag.TIME_NS, 0)
            .string(Tag.HOSTNAME, "no spaces")
            .string(Tag.VM_ID, "vm")
            .build();

    assertThatThrownBy(() -> IdentityMessage.of(noHostname)).hasMessageContaining("HOSTNAME");
    assertThatThrownBy(() -> IdentityMessage.of(shortEntropy)).hasMessageContaining("entropy");
    assertThatThrownBy(() -> IdentityMessage.of(badHostname)).hasMessageContaining("hostname");
    assertThatThrownBy(() -> IdentityMessage.of(Frame.builder(MessageType.PING, 1).build()))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void identitiesAreCheckedAsTheAgentChecksThem() {
    assertThat(new GuestIdentity("a".repeat(253), "h".repeat(64)).hostname()).hasSize(64);
    assertThatThrownBy(() -> new GuestIdentity("vm", "h".repeat(65)))
        .isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> new GuestIdentity("", "vm")).isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> new GuestIdentity("a".repeat(254), "vm"))
        .isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> new GuestIdentity("vm", "under_score"))
        .isInstanceOf(InvalidSpecException.class);
  }
}
