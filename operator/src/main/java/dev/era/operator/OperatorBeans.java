package dev.era.operator;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/** CDI wiring for the Quarkus operator: settings from application.properties, metrics. */
@ApplicationScoped
public class OperatorBeans {

  /** {@code era.operator.*} settings; see {@link EraOperatorConfig} for what each means. */
  @ConfigMapping(prefix = "era.operator")
  public interface Settings {
    @WithDefault("60s")
    Duration heartbeatTimeout();

    @WithDefault("5m")
    Duration nodeLostGrace();

    @WithDefault("60s")
    Duration unschedulableRetry();

    @WithDefault("1h")
    Duration finishedRunTtl();

    @WithDefault("60s")
    Duration runWaitRecheck();

    @WithDefault("30s")
    Duration missingVmGrace();
  }

  @Produces
  @Singleton
  EraOperatorConfig config(Settings settings) {
    return new EraOperatorConfig(
        settings.heartbeatTimeout(),
        settings.nodeLostGrace(),
        settings.unschedulableRetry(),
        settings.finishedRunTtl(),
        settings.runWaitRecheck(),
        settings.missingVmGrace());
  }

  @Produces
  @Singleton
  OperatorMetrics metrics(MeterRegistry registry) {
    return new OperatorMetrics(registry);
  }
}
