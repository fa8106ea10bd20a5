package dev.era.launcher.guest;

import dev.era.launcher.LaunchException;
import dev.era.launcher.protocol.Frame;

/** Receives the frames that answer one request id. Called on the connection's reader thread. */
interface FrameHandler {
  /** Handles one frame; returns true when it was the last one for this request. */
  boolean onFrame(Frame frame);

  /** The connection ended before the last frame came. */
  void onClose(LaunchException cause);
}
