package dev.era.launcher.qemu;

import dev.era.launcher.LaunchException;
import dev.era.launcher.host.PrivateDirs;
import dev.era.launcher.host.UnixSocket;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * Saved guests, one file per {@link SnapshotKey} under {@code <cacheDir>/snapshots/} (0700, files
 * 0600): QEMU's migration stream of a paused guest whose agent is up and has no identity yet. A
 * snapshot is written through an {@code fd:} migration and read back with {@code -incoming defer}
 * and {@code migrate-incoming fd:}, the descriptor handed over QMP, so QEMU's sandbox keeps {@code
 * spawn=deny}.
 */
public final class Snapshots {
  private static final Logger LOG = Logger.getLogger(Snapshots.class);
  private static final String FD_NAME = "era-snapshot";

  /** A paused guest has no dirty pages to chase: let the one pass run at disk speed. */
  private static final long MAX_BANDWIDTH = 64L << 30;

  private static final long POLL_NANOS = Duration.ofMillis(2).toNanos();

  /** Older than this, a partial file is no save in progress (a save takes seconds). */
  private static final Duration PARTIAL_AGE = Duration.ofHours(1);

  private final Path dir;

  public Snapshots(Path cacheDir) {
    this.dir = cacheDir.resolve("snapshots");
  }

  public Path file(SnapshotKey key) {
    return dir.resolve(key.hash() + ".vmstate");
  }

  /** The snapshot of {@code key}, marked used now (its modification time), if there is one. */
  public Optional<Path> find(SnapshotKey key) {
    Path file = file(key);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    } catch (IOException e) {
      LOG.debugf("cannot mark %s used: %s", file, e.getMessage());
    }
    return Optional.of(file);
  }

  /**
   * Removes the snapshots no start has used for {@code unused} (those of older images, QEMU builds
   * or shapes no VM asks for any more: 64 MiB each), and the partial files of saves that a launcher
   * did not live to finish.
   */
  public void prune(Duration unused) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    Instant now = Instant.now();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        Duration age = Duration.between(Files.getLastModifiedTime(file).toInstant(), now);
        if (name.endsWith(".vmstate") && age.compareTo(unused) > 0) {
          LOG.infof("removing snapshot %s, unused for %d days", name, age.toDays());
          Files.deleteIfExists(file);
        } else if (name.endsWith(".new") && age.compareTo(PARTIAL_AGE) > 0) {
          LOG.infof("removing %s, left by a save that never finished", name);
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      LOG.warnf("cannot prune the snapshots in %s: %s", dir, e.getMessage());
    }
  }

  /** Removes a snapshot that failed to restore; the next start of its shape makes a new one. */
  public void discard(SnapshotKey key) {
    try {
      Files.deleteIfExists(file(key));
    } catch (IOException e) {
      throw new LaunchException(
          "cannot remove the snapshot " + file(key) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Pauses the running VM behind {@code qmp}, writes it to the snapshot of {@code key} and resumes
   * it. The file appears whole or not at all (written aside, then renamed).
   *
   * @return the snapshot's size in bytes
   */
  long save(Qmp qmp, SnapshotKey key, Duration timeout) throws IOException {
    PrivateDirs.create(dir);
    Path partial =
        dir.resolve(
            key.hash() + ".vmstate." + ThreadLocalRandom.current().nextInt(1 << 30) + ".new");
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      qmp.execute("stop", null);
      try {
        passFile(qmp, partial, true);
        qmp.execute("migrate-set-parameters", Qmp.arguments().put("max-bandwidth", MAX_BANDWIDTH));
        qmp.execute("migrate", Qmp.arguments().put("uri", "fd:" + FD_NAME));
        awaitMigration(qmp, deadline);
      } finally {
        qmp.execute("cont", null);
      }
      Files.move(partial, file(key), StandardCopyOption.ATOMIC_MOVE);
      return Files.size(file(key));
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /**
   * Loads {@code snapshot} into the QEMU behind {@code qmp}, started with its VM's argv plus {@code
   * -incoming defer}, and lets the guest run.
   */
  static void restore(Qmp qmp, Path snapshot, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    passFile(qmp, snapshot, false);
    qmp.execute("migrate-incoming", Qmp.arguments().put("uri", "fd:" + FD_NAME));
    String status;
    while ((status = qmp.status()).equals("inmigrate")) {
      pause(deadline, "loading the snapshot");
    }
    if (!status.equals("paused")) {
      throw new IOException("after loading the snapshot the VM is " + status + ", not paused");
    }
    qmp.execute("cont", null);
  }

  private static void passFile(Qmp qmp, Path file, boolean write) throws IOException {
    int fd = UnixSocket.openFile(file, write);
    try {
      qmp.passFd(FD_NAME, fd);
    } finally {
      UnixSocket.closeFd(fd); // QEMU holds its own copy now
    }
  }

  private static void awaitMigration(Qmp qmp, long deadline) throws IOException {
    while (true) {
      String status = qmp.execute("query-migrate", null).path("status").asText();
      switch (status) {
        case "completed":
          return;
        case "failed":
        case "cancelled":
          throw new IOException("writing the snapshot " + status);
        default:
          pause(deadline, "writing the snapshot");
      }
    }
  }

  /** Migration progress is polled: it takes a few hundred milliseconds at most. */
  private static void pause(long deadline, String what) throws IOException {
    if (System.nanoTime() > deadline) {
      throw new IOException(what + " did not finish in time");
    }
    LockSupport.parkNanos(POLL_NANOS);
  }
}
