package dev.era.launcher;

/** How a {@link VmHandle} came to run. */
public enum StartKind {
  /** Booted from the kernel (no snapshot of its shape yet, or its snapshot failed to restore). */
  COLD_BOOT,
  /** Restored from a snapshot of a guest of the same shape. */
  SNAPSHOT_RESTORE,
  /** Started by an earlier launcher and re-adopted; how it started is not recorded. */
  ADOPTED
}
