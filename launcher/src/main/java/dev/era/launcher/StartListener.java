package dev.era.launcher;

import java.nio.file.Path;
import java.time.Duration;

/** Hears what a {@link Launcher#start} did that its caller may want to report. */
@FunctionalInterface
public interface StartListener {
  /**
   * The snapshot for the VM's shape could not be restored (corrupt, or stale in a way its key did
   * not show); it was deleted and the VM cold-boots instead.
   */
  void snapshotDiscarded(String message);

  /**
   * The VM cold-booted and left a snapshot of its shape for the next starts; it was paused for
   * {@code took} meanwhile.
   */
  default void snapshotSaved(Path file, long bytes, Duration took) {}

  StartListener SILENT = message -> {};
}
