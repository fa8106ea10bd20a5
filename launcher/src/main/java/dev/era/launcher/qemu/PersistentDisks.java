package dev.era.launcher.qemu;

import dev.era.launcher.LaunchException;
import dev.era.launcher.host.PrivateDirs;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Persistent disks: raw sparse ext4 files at {@code <stateDir>/disks/<id>.img}, mounted on the
 * guest's /work. They outlive stop() and go only through {@link #delete}.
 */
public final class PersistentDisks {
  private static final Logger LOG = Logger.getLogger(PersistentDisks.class);

  /** The guest runs commands as this user, which must own /work. */
  private static final String GUEST_USER = "65532:65532";

  private final Path dir;

  public PersistentDisks(Path stateDir) {
    this.dir = stateDir.resolve("disks").toAbsolutePath().normalize();
  }

  public Path path(String id) {
    return dir.resolve(id + ".img");
  }

  public boolean exists(String id) {
    return Files.exists(path(id));
  }

  /**
   * The disk of VM {@code id}, created and formatted on first use; an existing disk keeps its size.
   */
  public Path ensure(String id, long sizeMib) {
    Path disk = path(id);
    if (Files.exists(disk)) {
      return disk;
    }
    Path fresh = dir.resolve(id + ".img.new");
    try {
      PrivateDirs.create(dir);
      try (RandomAccessFile file = new RandomAccessFile(fresh.toFile(), "rw")) {
        file.setLength(sizeMib * 1024 * 1024);
      }
      format(fresh);
      Files.move(fresh, disk, StandardCopyOption.ATOMIC_MOVE);
      LOG.debugf("created a %d MiB persistent disk for %s", sizeMib, id);
      return disk;
    } catch (IOException e) {
      throw new LaunchException(
          "cannot create the persistent disk " + disk + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(fresh);
    }
  }

  public boolean delete(String id) {
    try {
      return Files.deleteIfExists(path(id));
    } catch (IOException e) {
      throw new LaunchException(
          "cannot delete the persistent disk " + path(id) + ": " + e.getMessage(), e);
    }
  }

  private static void format(Path file) throws IOException {
    Process mkfs =
        new ProcessBuilder(
                QemuBinary.mkfsExt4().toString(),
                "-q",
                "-F",
                "-E",
                "root_owner=" + GUEST_USER,
                file.toString())
            .redirectErrorStream(true)
            .start();
    mkfs.getOutputStream().close();
    String output =
        new String(mkfs.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!mkfs.waitFor(60, TimeUnit.SECONDS)) {
        mkfs.destroyForcibly();
        throw new IOException("mkfs.ext4 did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      mkfs.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while formatting", e);
    }
    if (mkfs.exitValue() != 0) {
      throw new IOException("mkfs.ext4 failed with status " + mkfs.exitValue() + ": " + output);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debugf("cannot remove %s: %s", file, e.getMessage());
    }
  }
}
