package dev.era.launcher.image;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.LaunchException;
import dev.era.launcher.ProgressListener;
import dev.era.launcher.host.XdgDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The guest images cached on this host, built on demand by guest/build-image.sh (shipped in the
 * launcher jar). Cache layout, shared with the script:
 *
 * <pre>
 *   boot-&lt;bootKey&gt;/kernel, boot-&lt;bootKey&gt;/initramfs.cpio
 *   &lt;language&gt;-&lt;rootfsKey&gt;/rootfs.erofs
 * </pre>
 *
 * Entries appear atomically (renamed into place), so an entry that exists is complete. Builds are
 * serialised across processes by the script's lock on {@code <cacheDir>/.lock}.
 */
public final class GuestImages {
  static final String KERNEL = "kernel";
  static final String INITRAMFS = "initramfs.cpio";
  static final String ROOTFS = "rootfs.erofs";

  private final Path cacheDir;
  private final GuestSources sources;
  private final Object buildLock = new Object();

  /** Images cached in {@code cacheDir}, built from the guest sources shipped with the launcher. */
  public GuestImages(Path cacheDir) {
    this(cacheDir, GuestSources.shipped());
  }

  GuestImages(Path cacheDir, GuestSources sources) {
    this.cacheDir = cacheDir.toAbsolutePath();
    this.sources = sources;
  }

  /** {@code $XDG_CACHE_HOME/era/images}, or {@code ~/.cache/era/images}. */
  public static Path defaultCacheDir() {
    return XdgDirs.current().cacheHome().resolve("era").resolve("images");
  }

  public Path cacheDir() {
    return cacheDir;
  }

  /** The image for a language, built first if it is not cached; returns at once when it is. */
  public GuestImage ensure(GuestLanguage language, ProgressListener progress) {
    Optional<GuestImage> cached = find(language);
    if (cached.isPresent()) {
      return cached.get();
    }
    synchronized (buildLock) {
      cached = find(language);
      if (cached.isPresent()) {
        return cached.get();
      }
      new ImageBuild(sources, cacheDir).run(language, progress);
      return find(language)
          .orElseThrow(
              () ->
                  new LaunchException(
                      "the "
                          + language.id()
                          + " image build succeeded but "
                          + cacheDir
                          + " has no entry for key "
                          + key(language)
                          + ": the launcher and guest/build-image.sh disagree on cache keys"));
    }
  }

  /** The cached image for a language, if it has been built. */
  public Optional<GuestImage> find(GuestLanguage language) {
    Path boot = cacheDir.resolve("boot-" + sources.bootKey());
    Path rootfs =
        cacheDir.resolve(language.id() + "-" + sources.rootfsKey(language)).resolve(ROOTFS);
    GuestImage image =
        new GuestImage(
            language, key(language), boot.resolve(KERNEL), boot.resolve(INITRAMFS), rootfs);
    boolean complete =
        Files.isRegularFile(image.kernel())
            && Files.isRegularFile(image.initramfs())
            && Files.isRegularFile(image.rootfs());
    return complete ? Optional.of(image) : Optional.empty();
  }

  /** The languages whose images are cached. */
  public Set<GuestLanguage> present() {
    return Arrays.stream(GuestLanguage.values())
        .filter(language -> find(language).isPresent())
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(GuestLanguage.class)));
  }

  private String key(GuestLanguage language) {
    return sources.bootKey() + "-" + sources.rootfsKey(language);
  }
}
