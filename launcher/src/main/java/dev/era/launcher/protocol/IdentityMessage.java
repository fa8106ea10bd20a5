package dev.era.launcher.protocol;

import dev.era.launcher.GuestIdentity;
import dev.era.launcher.LaunchException;
import java.time.Instant;
import java.util.Optional;

/**
 * The IDENTITY request (docs/guest-protocol.md): fresh entropy, the host's time and who the guest
 * is.
 *
 * @param entropy random bytes the guest mixes into its kernel's pool before reseeding
 * @param time the host's wall clock, which the guest sets its clock to
 */
public record IdentityMessage(byte[] entropy, Instant time, GuestIdentity identity) {
  /** Bytes of entropy the agent takes, at least and at most. */
  public static final int MIN_ENTROPY = 32;

  public static final int MAX_ENTROPY = 512;

  public IdentityMessage {
    if (entropy.length < MIN_ENTROPY || entropy.length > MAX_ENTROPY) {
      throw new IllegalArgumentException(
          "IDENTITY carries " + MIN_ENTROPY + " to " + MAX_ENTROPY + " bytes of entropy");
    }
    entropy = entropy.clone();
  }

  public Frame toFrame(int id) {
    return Frame.builder(MessageType.IDENTITY, id)
        .bytes(Tag.ENTROPY, entropy)
        .u64(Tag.TIME_NS, time.getEpochSecond() * 1_000_000_000L + time.getNano())
        .string(Tag.HOSTNAME, identity.hostname())
        .string(Tag.VM_ID, identity.vmId())
        .build();
  }

  /** The message a frame carries; a missing or malformed field is a protocol error. */
  public static IdentityMessage of(Frame frame) throws ProtocolException {
    if (!frame.is(MessageType.IDENTITY)) {
      throw new ProtocolException("not an IDENTITY frame: " + frame);
    }
    long nanos = require(frame.u64(Tag.TIME_NS).stream().boxed().findFirst(), Tag.TIME_NS);
    try {
      return new IdentityMessage(
          require(frame.bytes(Tag.ENTROPY), Tag.ENTROPY),
          Instant.ofEpochSecond(0, nanos),
          new GuestIdentity(
              require(frame.string(Tag.VM_ID), Tag.VM_ID),
              require(frame.string(Tag.HOSTNAME), Tag.HOSTNAME)));
    } catch (IllegalArgumentException | LaunchException e) {
      throw new ProtocolException("bad IDENTITY: " + e.getMessage());
    }
  }

  private static <T> T require(Optional<T> value, Tag tag) throws ProtocolException {
    return value.orElseThrow(() -> new ProtocolException("IDENTITY without " + tag));
  }
}
