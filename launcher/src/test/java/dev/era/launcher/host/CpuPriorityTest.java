package dev.era.launcher.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every thread of a process moves to the background and back, threads it starts later too; a thread
 * in the background starts its processes there.
 */
class CpuPriorityTest {
  @TempDir Path dir;
  private Process child;

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aThreadInTheBackgroundStartsItsProcessesThere() throws Exception {
    assumeTrue(
        CpuPriority.canRestore(),
        "this process lacks CAP_SYS_NICE, so threads stay at the normal priority");
    CompletableFuture<Process> started = new CompletableFuture<>();
    Thread background =
        CpuPriority.backgroundThreads("background")
            .newThread(
                () -> {
                  try {
                    started.complete(new ProcessBuilder("sleep", "60").start());
                  } catch (Throwable e) {
                    started.completeExceptionally(e);
                  }
                });
    background.start();
    child = started.get(10, TimeUnit.SECONDS);
    assertThat(ThreadNice.of(child.pid())).containsExactly(CpuPriority.BACKGROUND);

    // Only that thread moved: a process this thread starts keeps this thread's priority.
    Process sibling = new ProcessBuilder("sleep", "60").start();
    try {
      assertThat(ThreadNice.of(sibling.pid())).doesNotContain(CpuPriority.BACKGROUND);
    } finally {
      sibling.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyThreadOfAProcessMovesToTheBackgroundAndBack() throws Exception {
    // A JVM: a process with many threads, which starts one more when told (a line on stdin).
    Path source = dir.resolve("Threads.java");
    Files.writeString(
        source,
        "class Threads { public static void main(String[] a) throws Exception {"
            + " System.out.println(\"up\"); System.in.read();"
            + " new Thread(() -> { try { Thread.sleep(60000); } catch (Exception e) {} },"
            + " \"late\").start(); System.out.println(\"late\"); Thread.sleep(60000); } }");
    child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString())
            .start();
    var out = child.inputReader();
    assertThat(out.readLine()).isEqualTo("up");
    assertThat(Files.list(Path.of("/proc", Long.toString(child.pid()), "task")).count())
        .isGreaterThan(5);

    CpuPriority.set(child.pid(), CpuPriority.BACKGROUND);
    assertThat(ThreadNice.of(child.pid())).containsExactly(CpuPriority.BACKGROUND);
    child.outputWriter().write("\n");
    child.outputWriter().flush();
    assertThat(out.readLine()).isEqualTo("late");
    assertThat(ThreadNice.of(child.pid()))
        .as("a thread started later inherits it")
        .containsExactly(CpuPriority.BACKGROUND);

    assumeTrue(
        CpuPriority.canRestore(),
        "this process lacks CAP_SYS_NICE, so it cannot raise a priority again");
    CpuPriority.set(child.pid(), CpuPriority.NORMAL);
    assertThat(ThreadNice.of(child.pid())).containsExactly(CpuPriority.NORMAL);
  }
}
