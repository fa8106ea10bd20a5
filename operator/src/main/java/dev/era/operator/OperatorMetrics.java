package dev.era.operator;

import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's own Prometheus metrics: {@code era_reconciles_total{controller,result}}, {@code
 * era_reconcile_seconds{controller}} and {@code era_vms{phase}}.
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Times one reconcile and counts it as success or error. */
  public <T> T reconcile(String controller, Callable<T> body) throws Exception {
    Timer.Sample sample = Timer.start(registry);
    String result = "error";
    try {
      T value = body.call();
      result = "success";
      return value;
    } finally {
      sample.stop(
          Timer.builder("era.reconcile")
              .description("Time spent in one reconcile")
              .tag("controller", controller)
              .register(registry));
      Counter.builder("era.reconciles")
          .description("Reconciles run")
          .tag("controller", controller)
          .tag("result", result)
          .register(registry)
          .increment();
    }
  }

  /** Publishes how many EraVMs are in each phase, counted from {@code vms} on every scrape. */
  public void watchVmPhases(Supplier<Stream<EraVM>> vms) {
    for (EraVMPhase phase : EraVMPhase.values()) {
      Gauge.builder(
              "era.vms", () -> vms.get().filter(vm -> vm.getStatus().getPhase() == phase).count())
          .description("EraVMs by phase")
          .tag("phase", phase.name())
          .register(registry);
    }
  }
}
