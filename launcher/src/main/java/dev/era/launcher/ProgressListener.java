package dev.era.launcher;

/** Hears about long work (image builds, boots) so a user can see progress. */
@FunctionalInterface
public interface ProgressListener {
  void step(String message);

  ProgressListener SILENT = message -> {};
}
