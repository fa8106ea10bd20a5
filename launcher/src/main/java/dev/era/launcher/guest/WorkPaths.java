package dev.era.launcher.guest;

import dev.era.launcher.InvalidSpecException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Host-side check of guest file paths, before anything is sent: they must stay inside the work dir.
 */
public final class WorkPaths {
  public static final String WORK_DIR = "/work";
  private static final Path WORK = Path.of(WORK_DIR);

  private WorkPaths() {}

  /**
   * The absolute, normalized guest path for {@code path} (relative to /work, or absolute under it).
   *
   * @throws InvalidSpecException when the path is empty or leads outside /work
   */
  public static String resolve(String path) {
    if (path == null || path.isBlank()) {
      throw new InvalidSpecException("a file path is required (relative to " + WORK_DIR + ")");
    }
    Path resolved;
    try {
      resolved = WORK.resolve(path).normalize();
    } catch (InvalidPathException e) {
      throw new InvalidSpecException(
          "file path '" + path + "' is not a valid path: " + e.getReason());
    }
    if (resolved.equals(WORK)) {
      throw new InvalidSpecException(
          "file path '" + path + "' names the work dir itself: give a file path under " + WORK_DIR);
    }
    if (!resolved.startsWith(WORK)) {
      throw new InvalidSpecException(
          "file path '"
              + path
              + "' escapes the work dir "
              + WORK_DIR
              + ": give a path relative to "
              + WORK_DIR
              + " or absolute under it");
    }
    return resolved.toString();
  }
}
