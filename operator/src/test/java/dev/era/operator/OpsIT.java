package dev.era.operator;

import static dev.era.operator.TestCluster.createVm;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.era.api.EraVMPhase;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.AdminClient;
import dev.era.apiserver.testing.WithEmbeddedApiServer;
import dev.era.operator.run.EraRunReconciler;
import dev.era.operator.vm.EraVMReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health endpoints and Prometheus metrics. */
@QuarkusTest
@WithEmbeddedApiServer(Component.OPERATOR)
class OpsIT {
  @AdminClient KubernetesClient client;

  /**
   * Readiness is quarkus-operator-sdk's check: up once the operator has started (its informers'
   * caches synced) and while no controller has an unhealthy event source.
   */
  @Test
  void healthIsUp() {
    String operatorCheck = "checks.find { it.name == 'Quarkus Operator SDK health check' }";
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", is("UP"))
        .body(operatorCheck + ".data." + EraVMReconciler.NAME, is("OK"))
        .body(operatorCheck + ".data." + EraRunReconciler.NAME, is("OK"));
    given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
  }

  @Test
  void metricsCountReconcilesAndVmsByPhase() {
    createVm(client, "ops", "counted", vm -> vm.getSpec().setCpu(3));
    await()
        .until(
            () ->
                TestCluster.getVm(client, "ops", "counted").getStatus().getPhase()
                        == EraVMPhase.Pending
                    && TestCluster.getVm(client, "ops", "counted")
                            .getStatus()
                            .getObservedGeneration()
                        != null);
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("era_vms{phase=\"Pending\"} 1.0"))
        .body(containsString("era_reconciles_total{controller=\"eravm\",result=\"success\"}"))
        .body(containsString("era_reconcile_seconds_count{controller=\"eravm\"}"));
  }
}
