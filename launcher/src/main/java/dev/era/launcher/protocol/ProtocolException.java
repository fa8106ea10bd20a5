package dev.era.launcher.protocol;

import java.io.IOException;

/** Bytes on the agent channel that do not form a valid frame. */
public class ProtocolException extends IOException {
  public ProtocolException(String message) {
    super(message);
  }
}
