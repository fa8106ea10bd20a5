package dev.era.nodeagent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.EraRunPhase;
import dev.era.api.Reasons;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLogsTest {
  @TempDir Path dir;

  RunLogs logs() {
    return new RunLogs(dir.resolve("runs"), 4, 16);
  }

  @Test
  void keepsTheFullLogOnDiskAndTheTailInMemory() throws Exception {
    RunLogs logs = logs();
    RunLog log = written(logs, "run", "oops", "hello ", "world");

    assertStdout(logs, "run", log, "hello world", "orld");
    assertThat(log.tail(RunLog.Stream.stdout).cut()).isTrue();
    assertThat(log.tail(RunLog.Stream.stderr).text()).isEqualTo("oops");
    assertThat(logs.view("ns", "run", RunLog.Stream.stdout))
        .hasValueSatisfying(v -> assertThat(v.finished()).isFalse());
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(
                    logs.file("ns", "run", RunLog.Stream.stdout).getParent())))
        .as("only the agent's user reads logs")
        .isEqualTo("rwx------");
  }

  @Test
  void dropsWhatAGuestSendsPastTheLimitAndSaysSo() throws Exception {
    RunLogs logs = logs();
    RunLog log = written(logs, "flood", "fine", "0123456789", "abcdefghij", "more");

    assertStdout(logs, "flood", log, "0123456789abcdef", "cdef");
    assertThat(log.dropped(RunLog.Stream.stdout)).isTrue();
    assertThat(log.dropped(RunLog.Stream.stderr)).isFalse();
  }

  @Test
  void recordsTheOutcomeAndStopsAppending() throws Exception {
    RunLogs logs = logs();
    RunLog log = logs.create("ns", "run", record("uid-1", "vm"));
    log.onStdout(bytes("out"));
    RunOutcome outcome =
        new RunOutcome(
            EraRunPhase.Succeeded,
            Reasons.EXITED,
            "exited with code 0",
            0,
            false,
            false,
            "2026-01-01T00:00:00Z");

    logs.finish("ns", "run", log, outcome);
    log.onStdout(bytes("late"));

    assertThat(logs.record("ns", "run"))
        .hasValueSatisfying(
            r -> {
              assertThat(r.uid()).isEqualTo("uid-1");
              assertThat(r.outcome()).isEqualTo(outcome);
            });
    assertThat(Files.readString(logs.file("ns", "run", RunLog.Stream.stdout))).isEqualTo("out");
    assertThat(logs.active("ns", "run")).isEmpty();
    assertThat(logs.view("ns", "run", RunLog.Stream.stdout))
        .hasValueSatisfying(v -> assertThat(v.finished()).isTrue());
  }

  @Test
  void aResumedLogContinuesTheFilesAndTheirTails() throws Exception {
    RunLogs logs = logs();
    RunLog before = logs.create("ns", "run", record("uid-1", "vm"));
    before.onStdout(bytes("abc"));
    logs.closeAll(); // the agent stops; the run's command runs on

    RunLog resumed = logs.resume("ns", "run");
    resumed.onStdout(bytes("def"));
    long start = System.nanoTime();
    resumed.awaitBeyond(
        RunLog.Stream.stdout, 5, Duration.ofSeconds(10)); // a follower at file offset 5

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("byte 6 counts as written")
        .isLessThan(Duration.ofSeconds(5));

    assertStdout(logs, "run", resumed, "abcdef", "cdef");
    assertThat(resumed.tail(RunLog.Stream.stdout).cut()).isTrue();
    assertThat(resumed.tail(RunLog.Stream.stderr).text()).isEmpty();
    assertThat(logs.record("ns", "run"))
        .hasValueSatisfying(r -> assertThat(r.uid()).isEqualTo("uid-1"));
    assertThat(logs.active("ns", "run")).containsSame(resumed);
    logs.release("ns", "run", resumed);
    assertThat(logs.active("ns", "run")).isEmpty();
    assertThat(resumed.isFinished()).isTrue();
  }

  @Test
  void readsTheTailOfALogNoLongerInMemory() {
    RunLogs logs = logs();
    RunLog log = logs.create("ns", "run", record("uid-1", "vm"));
    log.onStdout(bytes("abcdef"));
    log.finish();

    assertThat(logs.tailOnDisk("ns", "run", RunLog.Stream.stdout).text()).isEqualTo("cdef");
    assertThat(logs.tailOnDisk("ns", "missing", RunLog.Stream.stdout).text()).isEmpty();
  }

  @Test
  void aFollowerWakesUpWhenOutputArrivesOrTheLogEnds() throws Exception {
    RunLogs logs = logs();
    RunLog log = logs.create("ns", "run", record("uid-1", "vm"));
    CompletableFuture<Void> waiting =
        CompletableFuture.runAsync(
            () -> {
              try {
                log.awaitBeyond(RunLog.Stream.stdout, 0, Duration.ofMinutes(1));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });

    log.onStdout(bytes("x"));

    waiting.get(30, TimeUnit.SECONDS);
  }

  @Test
  void deletesOnlyTheLogsOfTheRunWithThatUid() {
    RunLogs logs = logs();
    logs.create("ns", "run", record("new-uid", "vm")).finish();

    logs.delete("ns", "run", "old-uid");
    assertThat(logs.record("ns", "run")).isPresent();

    logs.delete("ns", "run", "new-uid");
    assertThat(logs.record("ns", "run")).isEmpty();
    assertThat(dir.resolve("runs/ns")).doesNotExist();
  }

  @Test
  void deletesTheLogsOfEveryRunOfAVm() {
    RunLogs logs = logs();
    logs.create("ns", "a", record("1", "vm-1")).finish();
    logs.create("ns", "b", record("2", "vm-2")).finish();
    logs.create("other", "c", record("3", "vm-1")).finish();

    logs.deleteForVm("ns", "vm-1");

    assertThat(logs.record("ns", "a")).isEmpty();
    assertThat(logs.record("ns", "b")).isPresent();
    assertThat(logs.record("other", "c")).isPresent();
  }

  @Test
  void keepsOnlyTheLogsOfRunsThatStillExist() {
    RunLogs logs = logs();
    logs.create("ns", "a", record("1", "vm")).finish();
    logs.create("ns", "b", record("2", "vm")).finish();

    logs.retainOnly(Set.of("2"));

    assertThat(logs.record("ns", "a")).isEmpty();
    assertThat(logs.record("ns", "b")).isPresent();
  }

  @Test
  void aNewRunWithAnOldNameStartsFromEmptyLogs() throws Exception {
    RunLogs logs = logs();
    RunLog old = logs.create("ns", "run", record("1", "vm"));
    old.onStdout(bytes("old output"));
    old.finish();

    logs.create("ns", "run", record("2", "vm"));

    assertThat(Files.readString(logs.file("ns", "run", RunLog.Stream.stdout))).isEmpty();
    assertThat(logs.record("ns", "run"))
        .hasValueSatisfying(r -> assertThat(r.uid()).isEqualTo("2"));
  }

  @Test
  void refusesNamesThatAreNotApiNames() {
    assertThatThrownBy(() -> logs().create("..", "run", record("1", "vm")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(RunLogs.validName("a/b")).isFalse();
    assertThat(RunLogs.validName("my-run.v2")).isTrue();
  }

  /** Creates the log of run ns/{@code name} and writes {@code stdout}'s chunks, then stderr. */
  private static RunLog written(RunLogs logs, String name, String stderr, String... stdout) {
    RunLog log = logs.create("ns", name, record("uid-1", "vm"));
    for (String chunk : stdout) {
      log.onStdout(bytes(chunk));
    }
    log.onStderr(bytes(stderr));
    return log;
  }

  /** Checks the stdout of run ns/{@code name}: the whole of it on disk, and the tail in memory. */
  private static void assertStdout(
      RunLogs logs, String name, RunLog log, String onDisk, String tail) throws IOException {
    assertThat(Files.readString(logs.file("ns", name, RunLog.Stream.stdout))).isEqualTo(onDisk);
    assertThat(log.tail(RunLog.Stream.stdout).text()).isEqualTo(tail);
  }

  private static RunRecord record(String uid, String vm) {
    return new RunRecord(uid, vm, "2026-01-01T00:00:00Z", null);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
