package dev.era.nodeagent.vm;

import dev.era.api.EraVM;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import dev.era.launcher.egress.EgressDenial;
import dev.era.launcher.egress.EgressListener;
import dev.failsafe.RateLimiter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Turns what egress VMs' proxies refused into Warning events ({@value Reasons#EGRESS_DENIED}) on
 * their EraVMs, naming the destination. A guest may ask for refused destinations as fast as it can,
 * so each VM gets at most {@link #PER_MINUTE} events a minute (the recorder folds repeats of one
 * destination into a count, but each repeat is still a write), written off the proxy's thread
 * through a bounded queue; the rest are dropped.
 */
public final class EgressDenials implements EgressListener, AutoCloseable {
  static final int PER_MINUTE = 10;
  private static final int QUEUE = 64;
  private static final int MAX_VMS = 1024;

  private final Function<String, Optional<EraVM>> vms;
  private final EventRecorder events;
  private final Map<String, RateLimiter<Object>> limiters =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RateLimiter<Object>> eldest) {
          return size() > MAX_VMS;
        }
      };
  private final ThreadPoolExecutor writer =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(QUEUE),
          r -> {
            Thread t = new Thread(r, "era-egress-events");
            t.setDaemon(true);
            return t;
          },
          new ThreadPoolExecutor.DiscardPolicy());

  /**
   * @param vms the EraVM of a launcher VM id, while it runs on this node
   */
  public EgressDenials(Function<String, Optional<EraVM>> vms, EventRecorder events) {
    this.vms = vms;
    this.events = events;
  }

  @Override
  public void denied(EgressDenial denial) {
    if (!limiter(denial.vmId()).tryAcquirePermit()) {
      return;
    }
    writer.execute(
        () ->
            vms.apply(denial.vmId())
                .ifPresent(
                    vm ->
                        events.warning(
                            vm,
                            Reasons.EGRESS_DENIED,
                            "egress to " + denial.destination() + " refused: " + denial.reason())));
  }

  private synchronized RateLimiter<Object> limiter(String vmId) {
    return limiters.computeIfAbsent(
        vmId, id -> RateLimiter.burstyBuilder(PER_MINUTE, Duration.ofMinutes(1)).build());
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() throws InterruptedException {
    writer.shutdown();
    writer.awaitTermination(30, TimeUnit.SECONDS);
  }
}
