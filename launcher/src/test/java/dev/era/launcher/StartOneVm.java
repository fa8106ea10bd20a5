package dev.era.launcher;

import dev.era.launcher.image.GuestImages;
import java.nio.file.Path;

/**
 * {@code StartOneVm STATE_DIR CACHE_DIR ID}: a launcher in a process of its own that starts one
 * Python VM, for tests that kill a launcher mid-start as a crash would.
 */
public final class StartOneVm {
  private StartOneVm() {}

  public static void main(String[] args) {
    try (QemuLauncher launcher =
        new QemuLauncher(
            LauncherConfig.defaults().withStateDir(Path.of(args[0])).withCacheDir(Path.of(args[1])),
            new GuestImages(GuestImages.defaultCacheDir()))) {
      launcher.start(VmSpec.of(args[2], GuestLanguage.PYTHON));
    }
  }
}
