package dev.era.launcher.guest;

import dev.era.launcher.LaunchException;
import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.Tag;

/**
 * The guest agent answered ERROR; {@link #code()} is its machine-readable code, e.g. {@code
 * NOT_FOUND}.
 */
public class GuestAgentException extends LaunchException {
  private final String code;

  public GuestAgentException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }

  static GuestAgentException from(Frame error, String vmId, String what) {
    String code = GuestText.cut(error.string(Tag.CODE).orElse("UNKNOWN"));
    String detail = GuestText.cut(error.string(Tag.MESSAGE).orElse("no message"));
    return new GuestAgentException(
        code, what + " failed in VM " + vmId + ": " + detail + " (" + code + ")");
  }
}
