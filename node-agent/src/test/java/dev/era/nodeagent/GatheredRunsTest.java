package dev.era.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatheredRunsTest {
  private static final Duration GATHER = Duration.ofMillis(200);

  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  private final AtomicInteger runs = new AtomicInteger();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void requestsMadeTogetherShareOneRunAfterTheWait() {
    GatheredRuns gathered = new GatheredRuns(scheduler, GATHER, runs::incrementAndGet);
    long start = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      gathered.request();
    }

    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(GATHER);
    await()
        .during(GATHER.multipliedBy(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> runs.get() == 1);
  }

  @Test
  void aRequestWhileTheTaskRunsGetsARunOfItsOwn() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    GatheredRuns gathered =
        new GatheredRuns(
            scheduler,
            GATHER,
            () -> {
              runs.incrementAndGet();
              running.countDown();
              try {
                finish.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    gathered.request();
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

    gathered.request();
    finish.countDown();

    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
  }

  @Test
  void noRunOnceTheSchedulerIsShutDown() {
    GatheredRuns gathered = new GatheredRuns(scheduler, GATHER, runs::incrementAndGet);
    scheduler.shutdownNow();

    gathered.request();

    assertThat(runs.get()).isZero();
  }
}
