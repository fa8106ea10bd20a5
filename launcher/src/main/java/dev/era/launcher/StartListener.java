package dev.era.launcher;

/** Hears what a {@link Launcher#start} did that its caller may want to report. */
@FunctionalInterface
public interface StartListener {
  /**
   * The snapshot for the VM's shape could not be restored (corrupt, or stale in a way its key did
   * not show); it was deleted and the VM cold-boots instead.
   */
  void snapshotDiscarded(String message);

  StartListener SILENT = message -> {};
}
