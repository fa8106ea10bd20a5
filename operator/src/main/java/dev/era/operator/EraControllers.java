package dev.era.operator;

import dev.era.operator.pool.EraPoolReconciler;
import dev.era.operator.run.EraRunReconciler;
import dev.era.operator.vm.EraVMReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * Registers every ERA controller on a plain java-operator-sdk {@link Operator}, for running the
 * operator in-process without Quarkus (the {@code era} CLI's embedded control plane):
 *
 * <pre>{@code
 * Operator operator = new Operator(o -> o.withKubernetesClient(client)
 *     .withUseSSAToPatchPrimaryResource(false)); // see application.properties: enable-ssa
 * EraControllers.register(operator, client, EraOperatorConfig.defaults());
 * operator.start();
 * }</pre>
 */
public final class EraControllers {
  /** The component name on the operator's Events. */
  public static final String COMPONENT = "era-operator";

  private EraControllers() {}

  /** Registers the controllers with metrics in Micrometer's global registry. */
  public static void register(
      Operator operator, KubernetesClient client, EraOperatorConfig config) {
    register(operator, client, config, Metrics.globalRegistry);
  }

  public static void register(
      Operator operator,
      KubernetesClient client,
      EraOperatorConfig config,
      MeterRegistry registry) {
    OperatorMetrics metrics = new OperatorMetrics(registry);
    operator.register(new EraVMReconciler(client, config, metrics));
    operator.register(new EraRunReconciler(client, config, metrics));
    operator.register(new EraPoolReconciler(client, config, metrics));
  }
}
