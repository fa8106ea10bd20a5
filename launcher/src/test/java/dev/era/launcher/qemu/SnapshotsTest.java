package dev.era.launcher.qemu;

import static dev.era.launcher.qemu.FakeQmp.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and restoring against a scripted QMP server: the steps, and what a failure leaves. */
class SnapshotsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final SnapshotKey KEY = new SnapshotKey("ab12", "test shape");

  @TempDir Path dir;

  private Path socket() {
    return dir.resolve("qmp.sock");
  }

  /** Answers query-status with the given states in turn; everything else succeeds. */
  private static String statuses(String command, Iterator<String> states) {
    if (!command.equals("query-status")) {
      return ok("{}");
    }
    String state = states.next();
    return state == null ? null : ok("{\"status\": \"" + state + "\", \"running\": false}");
  }

  @Test
  void pruningRemovesSnapshotsUnusedForLongAndPartialsNoSaveIsWriting() throws Exception {
    Snapshots snapshots = new Snapshots(dir);
    Path files = Files.createDirectories(dir.resolve("snapshots"));
    Path unused = aged(files.resolve("unused.vmstate"), Duration.ofDays(8));
    Path recent = aged(files.resolve("recent.vmstate"), Duration.ofDays(6));
    Path abandoned = aged(files.resolve("x.vmstate.123.new"), Duration.ofHours(2));
    Path saving = aged(files.resolve("y.vmstate.456.new"), Duration.ofMinutes(1));
    Path restored = aged(snapshots.file(KEY), Duration.ofDays(30));
    assertThat(snapshots.find(KEY)).contains(restored); // a restore marks it used

    snapshots.prune(Duration.ofDays(7));

    assertThat(unused).doesNotExist();
    assertThat(abandoned).doesNotExist();
    assertThat(recent).exists();
    assertThat(saving).exists();
    assertThat(restored).exists();
  }

  private static Path aged(Path file, Duration age) throws IOException {
    Files.writeString(file, "state");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
    return file;
  }

  @Test
  void restoreHandsOverTheFileWaitsForTheLoadAndResumes() throws Exception {
    Path snapshot = Files.writeString(dir.resolve("shape.vmstate"), "state");
    Iterator<String> states = List.of("inmigrate", "inmigrate", "paused").iterator();
    try (FakeQmp qemu = new FakeQmp(socket(), c -> statuses(c, states));
        Qmp qmp = Qmp.open(socket(), TIMEOUT)) {
      Snapshots.restore(qmp, snapshot, TIMEOUT);

      assertThat(qemu.commands())
          .containsExactly(
              "qmp_capabilities",
              "getfd",
              "migrate-incoming",
              "query-status",
              "query-status",
              "query-status",
              "cont");
    }
  }

  @Test
  void aQemuThatDiesLoadingACorruptSnapshotFailsTheRestore() throws Exception {
    Path snapshot = Files.writeString(dir.resolve("shape.vmstate"), "not a migration stream");
    Iterator<String> states = java.util.Arrays.asList("inmigrate", null).iterator();
    try (FakeQmp qemu = new FakeQmp(socket(), c -> statuses(c, states));
        Qmp qmp = Qmp.open(socket(), TIMEOUT)) {
      assertThatThrownBy(() -> Snapshots.restore(qmp, snapshot, TIMEOUT))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("QEMU ended");
      assertThat(qemu.commands()).doesNotContain("cont");
    }
  }

  @Test
  void aGuestThatDoesNotLandPausedIsNotResumed() throws Exception {
    Path snapshot = Files.writeString(dir.resolve("shape.vmstate"), "state");
    Iterator<String> states = List.of("inmigrate", "internal-error").iterator();
    try (FakeQmp qemu = new FakeQmp(socket(), c -> statuses(c, states));
        Qmp qmp = Qmp.open(socket(), TIMEOUT)) {
      assertThatThrownBy(() -> Snapshots.restore(qmp, snapshot, TIMEOUT))
          .hasMessageContaining("internal-error");
      assertThat(qemu.commands()).doesNotContain("cont");
    }
  }

  @Test
  void saveWritesAPrivateFileUnderTheKeyAndResumesTheGuest() throws Exception {
    Path cache = dir.resolve("cache");
    Snapshots snapshots = new Snapshots(cache);
    Iterator<String> migration = List.of("active", "completed").iterator();
    try (FakeQmp qemu =
            new FakeQmp(
                socket(),
                c ->
                    c.equals("query-migrate")
                        ? ok("{\"status\": \"" + migration.next() + "\"}")
                        : ok("{}"));
        Qmp qmp = Qmp.open(socket(), TIMEOUT)) {
      snapshots.save(qmp, KEY, TIMEOUT);

      assertThat(qemu.commands())
          .containsExactly(
              "qmp_capabilities",
              "stop",
              "getfd",
              "migrate-set-parameters",
              "migrate",
              "query-migrate",
              "query-migrate",
              "cont");
    }
    assertThat(snapshots.find(KEY)).contains(cache.resolve("snapshots/ab12.vmstate"));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(cache.resolve("snapshots"))))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(snapshots.find(KEY).orElseThrow())))
        .isEqualTo("rw-------");

    snapshots.discard(KEY);
    assertThat(snapshots.find(KEY)).isEmpty();
  }

  @Test
  void aFailedSaveLeavesNoSnapshotAndStillResumesTheGuest() throws Exception {
    Path cache = dir.resolve("cache");
    Snapshots snapshots = new Snapshots(cache);
    try (FakeQmp qemu =
            new FakeQmp(
                socket(),
                c -> c.equals("query-migrate") ? ok("{\"status\": \"failed\"}") : ok("{}"));
        Qmp qmp = Qmp.open(socket(), TIMEOUT)) {
      assertThatThrownBy(() -> snapshots.save(qmp, KEY, TIMEOUT)).hasMessageContaining("failed");

      assertThat(qemu.commands()).endsWith("query-migrate", "cont");
    }
    assertThat(snapshots.find(KEY)).isEmpty();
    try (Stream<Path> left = Files.list(cache.resolve("snapshots"))) {
      assertThat(left).isEmpty();
    }
  }
}
