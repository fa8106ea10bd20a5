package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A VM's process is known by its directory: in its command line or as its working directory. */
class ProcFsTest {
  @TempDir Path dir;
  private Process child;

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aProcessIsKnownByItsWorkingDirectoryWhereverItMoves() throws Exception {
    Path first = Files.createDirectory(dir.resolve("spare-1"));
    Path renamed = dir.resolve("vm-a");
    child = new ProcessBuilder("sleep", "60").directory(first.toFile()).start();
    long pid = child.pid();

    assertThat(ProcFs.runs(pid, first + "/")).isTrue();
    assertThat(ProcFs.findByMarker(first + "/")).containsExactly(pid);

    Files.move(first, renamed, StandardCopyOption.ATOMIC_MOVE);
    assertThat(ProcFs.runs(pid, renamed + "/")).isTrue();
    assertThat(ProcFs.runs(pid, first + "/")).isFalse();
    assertThat(ProcFs.runs(pid, dir + "/")).as("a parent is not the directory").isFalse();

    Files.delete(renamed);
    assertThat(ProcFs.runs(pid, renamed + "/")).as("a leak outlives its directory").isTrue();

    child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(ProcFs.runs(pid, renamed + "/")).isFalse();
  }

  @Test
  void aProcessIsKnownByItsCommandLine() throws Exception {
    child = new ProcessBuilder("sleep", "61").start();

    assertThat(ProcFs.runs(child.pid(), "sleep 61")).isTrue();
    assertThat(ProcFs.runs(child.pid(), "sleep 62")).isFalse();
  }

  @Test
  void aProcessIsFoundByAnEntryOfItsEnvironment() throws Exception {
    String token = "ERA_TEST_TOKEN=" + System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder("sleep", "63");
    builder.environment().put("ERA_TEST_TOKEN", token.substring("ERA_TEST_TOKEN=".length()));
    child = builder.start();

    assertThat(ProcFs.findByEnvironment(token)).containsExactly(child.pid());
    assertThat(ProcFs.findByEnvironment(token.substring(0, token.length() - 1))).isEmpty();
  }

  @Test
  void anEnvironmentEntryMatchesWholeEntriesOnly() {
    byte[] environ = "A=1\0ERA_VM_TOKEN=abc\0B=2".getBytes();

    assertThat(ProcFs.holdsEntry(environ, "ERA_VM_TOKEN=abc".getBytes())).isTrue();
    assertThat(ProcFs.holdsEntry(environ, "B=2".getBytes())).isTrue();
    assertThat(ProcFs.holdsEntry(environ, "ERA_VM_TOKEN=ab".getBytes())).isFalse();
    assertThat(ProcFs.holdsEntry(environ, "VM_TOKEN=abc".getBytes())).isFalse();
  }
}
