package dev.era.launcher.protocol;

import java.util.Optional;

/**
 * Frame types of guest protocol version 2 (docs/guest-protocol.md). Replies have the high bit set.
 */
public enum MessageType {
  HELLO(0x01),
  PING(0x02),
  EXEC(0x10),
  KILL(0x11),
  ATTACH(0x12),
  PUT_FILE(0x20),
  GET_FILE(0x21),
  SHUTDOWN(0x30),
  IDENTITY(0x31),
  OK(0x80),
  HELLO_REPLY(0x81),
  PONG(0x82),
  ERROR(0x83),
  STARTED(0x90),
  STDOUT(0x91),
  STDERR(0x92),
  EXIT(0x93),
  FILE_DATA(0xA1);

  private static final MessageType[] BY_CODE = new MessageType[256];

  static {
    for (MessageType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  private final int code;

  MessageType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type with this code; empty for codes this version does not know. */
  public static Optional<MessageType> of(int code) {
    return code >= 0 && code < BY_CODE.length
        ? Optional.ofNullable(BY_CODE[code])
        : Optional.empty();
  }
}
