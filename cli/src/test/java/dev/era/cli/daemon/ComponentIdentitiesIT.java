package dev.era.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.apiserver.Component;
import dev.era.apiserver.EmbeddedApiServer;
import dev.era.launcher.LauncherConfig;
import dev.era.launcher.QemuLauncher;
import dev.era.nodeagent.NodeAgent;
import dev.era.nodeagent.NodeAgentConfig;
import dev.era.operator.EraControllers;
import dev.era.operator.EraOperatorConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator and the node agent each run as their chart service account, with only the chart's
 * RBAC rules: as `era up` wires them they do their work, and the same code under an identity that
 * lacks a permission it needs fails on it with Kubernetes' 403. No guest boots here.
 */
class ComponentIdentitiesIT {
  private static final String OPERATOR = "system:serviceaccount:era-system:era-operator";
  private static final String NODE_AGENT = "system:serviceaccount:era-system:era-node-agent";

  @TempDir Path dir;

  @Test
  void theDaemonsOperatorAndNodeAgentPlaceReportAndDeleteAVmWithTheirOwnRules() throws Exception {
    EraPaths paths = new EraPaths(dir.resolve("state"), dir.resolve("config"));
    try (EmbeddedControlPlane daemon =
            EmbeddedControlPlane.start(
                paths, new EmbeddedControlPlane.Settings(0, List.of()), step -> {});
        KubernetesClient admin =
            new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(paths.kubeconfig())))
                .build()) {
      EraVM vm = new EraVM();
      vm.getMetadata().setName("idle");
      vm.getSpec().setRunning(false);
      admin.resource(vm).create();
      var idle = admin.resources(EraVM.class).withName("idle");

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                EraVM placed = idle.get();
                assertThat(placed.getStatus().isTrue(ConditionTypes.SCHEDULED))
                    .as("placed by the operator")
                    .isTrue();
                assertThat(placed.getStatus().getPhase())
                    .as("reported by the node agent")
                    .isEqualTo(EraVMPhase.Stopped);
              });
      idle.delete();
      await("the node agent reports teardown, the operator removes the finalizer")
          .atMost(Duration.ofSeconds(30))
          .until(() -> idle.get() == null);
    }
  }

  @Test
  void theNodeAgentsCodeFailsOnWhatItsIdentityMayNotDo() {
    try (EmbeddedApiServer server = new EmbeddedApiServer();
        QemuLauncher launcher =
            new QemuLauncher(LauncherConfig.defaults().withStateDir(dir.resolve("launcher")))) {
      server.start(0);
      try (KubernetesClient asOperator = server.newClient(Component.OPERATOR)) {
        NodeAgentConfig config =
            NodeAgentConfig.defaults("node-x").withStateDir(dir.resolve("agent"));

        assertThatThrownBy(() -> NodeAgent.start(asOperator, launcher, config).close())
            .hasStackTraceContaining(
                "eranodes.era.dev \"node-x\" is forbidden: User \""
                    + OPERATOR
                    + "\" cannot get resource \"eranodes\" in API group \"era.dev\" at the cluster scope");
      }
    }
  }

  @Test
  void theOperatorsCodeFailsOnWhatItsIdentityMayNotDo() {
    try (EmbeddedApiServer server = new EmbeddedApiServer()) {
      server.start(0);
      try (KubernetesClient asNodeAgent = server.newClient(Component.NODE_AGENT)) {
        Operator operator =
            new Operator(
                o ->
                    o.withKubernetesClient(asNodeAgent)
                        .withUseSSAToPatchPrimaryResource(false)
                        .withCloseClientOnStop(false));
        EraControllers.register(
            operator,
            asNodeAgent,
            EraOperatorConfig.defaults().withPlacement(EraOperatorConfig.PlacementMode.ledger),
            new SimpleMeterRegistry());
        try {
          assertThatThrownBy(operator::start)
              .hasStackTraceContaining(
                  "eranodes.era.dev is forbidden: User \""
                      + NODE_AGENT
                      + "\" cannot list resource \"eranodes\" in API group \"era.dev\" at the cluster scope");
        } finally {
          operator.stop();
        }
      }
    }
  }
}
