package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory a guest frees goes back to the host: after a command that touched most of a 256 MiB guest
 * has ended, QEMU's resident set shrinks back to about its idle size (free page reporting).
 */
@ExtendWith(RequiresQemu.class)
class MemoryReturnIT {
  @TempDir Path stateDir;
  private QemuLauncher launcher;

  @AfterEach
  void stop() {
    if (launcher != null) {
      launcher.list().forEach(vm -> vm.stop(Duration.ofSeconds(5)));
      launcher.close();
    }
  }

  @Test
  void qemuShrinksBackAfterAMemoryHungryCommand() throws IOException {
    Guests.prepareImages(GuestLanguage.PYTHON);
    launcher = Guests.launcher(stateDir);
    VmHandle vm = launcher.start(VmSpec.of("mem-1", GuestLanguage.PYTHON));
    // Idle: what a guest that has run the same program on 1 MiB keeps resident, once it has
    // reported what it freed (reporting runs about every 2 s) and the figure holds still. The
    // warm-up makes the figure the guest's own, not the TCG translation cache's first fill (a
    // restored guest starts with none of it).
    assertThat(vm.exec(Guests.touching(1)).stdoutText()).isEqualTo("1\n");
    long idle = settledRssKib(vm.pid());

    AtomicLong peakKib = new AtomicLong();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> peakKib.accumulateAndGet(Guests.rssKib(vm.pid()), Math::max),
        0,
        50,
        TimeUnit.MILLISECONDS);
    ExecResult hungry;
    try {
      // About all that a 256 MiB guest has free (200 MiB got the command OOM-killed).
      hungry = vm.exec(Guests.touching(170));
    } finally {
      sampler.shutdownNow();
    }
    Instant ended = Instant.now();
    long peak = peakKib.get();

    assertThat(hungry.stdoutText()).as(hungry.stderrText()).isEqualTo("170\n");
    assertThat(peak).as("the command made QEMU grow (RSS in KiB)").isGreaterThan(idle + 120 * 1024);
    long limit = idle * 12 / 10;
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(Guests.rssKib(vm.pid())).isLessThanOrEqualTo(limit));
    long back = Duration.between(ended, Instant.now()).toMillis();
    // And it stays down: the benchmark's figure is the RSS 10 s after the command ended.
    Duration rest = Duration.ofSeconds(10).minusMillis(back);
    if (!rest.isNegative()) {
      await()
          .during(rest)
          .atMost(rest.plusSeconds(5))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> assertThat(Guests.rssKib(vm.pid())).isLessThanOrEqualTo(limit));
    }
    System.out.printf(
        "QEMU RSS: idle %d MiB, peak %d MiB, back under %d MiB after %d ms, %d MiB after %d ms%n",
        idle / 1024,
        peak / 1024,
        limit / 1024,
        back,
        Guests.rssKib(vm.pid()) / 1024,
        Duration.between(ended, Instant.now()).toMillis());
  }

  /** The RSS once two looks 3 s apart differ by under 2%. */
  private static long settledRssKib(long pid) {
    long[] last = {Guests.rssKib(pid)};
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollDelay(Duration.ofSeconds(3))
        .pollInterval(Duration.ofSeconds(3))
        .until(
            () -> {
              long previous = last[0];
              last[0] = Guests.rssKib(pid);
              return Math.abs(last[0] - previous) * 50 < previous ? last[0] : null;
            },
            rss -> rss != null);
  }
}
