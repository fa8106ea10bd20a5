package dev.era.operator;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/** CDI wiring for the Quarkus operator: settings from the environment or config, metrics. */
@ApplicationScoped
public class OperatorBeans {

  /**
   * {@code era.operator.*} settings (environment variables such as ERA_OPERATOR_NODE_LOST_GRACE);
   * see {@link EraOperatorConfig} for what each means and where the defaults come from.
   */
  @ConfigMapping(prefix = "era.operator")
  public interface Settings {
    @WithDefault(EraOperatorConfig.DEFAULT_HEARTBEAT_TIMEOUT)
    Duration heartbeatTimeout();

    @WithDefault(EraOperatorConfig.DEFAULT_NODE_LOST_GRACE)
    Duration nodeLostGrace();

    @WithDefault(EraOperatorConfig.DEFAULT_UNSCHEDULABLE_RETRY)
    Duration unschedulableRetry();

    @WithDefault(EraOperatorConfig.DEFAULT_FINISHED_RUN_TTL)
    Duration finishedRunTtl();

    @WithDefault(EraOperatorConfig.DEFAULT_RUN_WAIT_RECHECK)
    Duration runWaitRecheck();

    @WithDefault(EraOperatorConfig.DEFAULT_MISSING_VM_GRACE)
    Duration missingVmGrace();

    @WithDefault(EraOperatorConfig.DEFAULT_PLACEMENT)
    EraOperatorConfig.PlacementMode placement();

    @WithDefault(EraOperatorConfig.DEFAULT_RESERVATION_IMAGE)
    String reservationImage();

    @WithDefault(EraOperatorConfig.DEFAULT_VMM_OVERHEAD_TCG)
    int vmmOverheadTcg();

    @WithDefault(EraOperatorConfig.DEFAULT_VMM_OVERHEAD_KVM)
    int vmmOverheadKvm();

    @WithDefault(EraOperatorConfig.DEFAULT_KVM_DEVICE_RESOURCE)
    String kvmDeviceResource();
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
        settings.missingVmGrace(),
        settings.placement(),
        settings.reservationImage(),
        settings.vmmOverheadTcg(),
        settings.vmmOverheadKvm(),
        settings.kvmDeviceResource());
  }

  @Produces
  @Singleton
  OperatorMetrics metrics(MeterRegistry registry) {
    return new OperatorMetrics(registry);
  }
}
