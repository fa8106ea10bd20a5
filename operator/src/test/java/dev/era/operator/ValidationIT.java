package dev.era.operator;

import static dev.era.operator.TestCluster.awaitPhase;
import static dev.era.operator.TestCluster.createRunFromYaml;
import static dev.era.operator.TestCluster.createVm;
import static dev.era.operator.TestCluster.createVmFromYaml;
import static dev.era.operator.TestCluster.editSpec;
import static dev.era.operator.TestCluster.events;
import static dev.era.operator.TestCluster.getRun;
import static dev.era.operator.TestCluster.getVm;
import static dev.era.operator.TestCluster.readyNode;
import static dev.era.operator.TestCluster.runFromYaml;
import static dev.era.operator.TestCluster.vmFromYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.era.api.ConditionTypes;
import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Reasons;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.AdminClient;
import dev.era.apiserver.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a broken spec reaches the user, one example per path; the rules themselves are unit-tested
 * (api's EraVMValidatorTest and EraRunValidatorTest, apiserver's SchemaAdmissionTest for the CRD
 * schema). What the CRD's schema forbids, the API server refuses, as in a cluster, with a cause
 * naming the field. What only the CRD's CEL rules or no schema rule at all forbid (the embedded API
 * server evaluates no CEL) reaches the operator, which must answer with Ready=False/Invalid, a
 * Warning event and a message naming the field, and start over once the spec is fixed.
 */
@QuarkusTest
@WithEmbeddedApiServer(Component.OPERATOR)
class ValidationIT {
  @AdminClient KubernetesClient client;

  @BeforeEach
  void startEmpty() {
    TestCluster.clear(client);
  }

  @Test
  void aVmTheSchemaForbidsIsRefusedByTheApiServer() {
    assertRefusedByTheApiServer(vmFromYaml(client, "invalid", "vm", "{cpu: 65}"), "spec.cpu");
  }

  @Test
  void aRunTheSchemaForbidsIsRefusedByTheApiServer() {
    assertRefusedByTheApiServer(
        runFromYaml(client, "invalid", "run", "{vmName: v, shell: ls, timeoutSeconds: 0}"),
        "spec.timeoutSeconds");
  }

  /** Creating {@code object} fails with a 422 whose causes name {@code field}. */
  private void assertRefusedByTheApiServer(HasMetadata object, String field) {
    assertThatThrownBy(() -> client.resource(object).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getDetails().getCauses())
                  .extracting(StatusCause::getField)
                  .contains(field);
            });
  }

  @Test
  void anInvalidVmIsRejected() {
    String ns = "invalid";
    createVmFromYaml(client, ns, "vm", "{network: egress}");
    String problem = "spec.egressAllow: network egress needs a non-empty list";
    await()
        .untilAsserted(
            () -> {
              EraVM vm = getVm(client, ns, "vm");
              assertThat(vm.getStatus().getPhase()).isEqualTo(EraVMPhase.Failed);
              assertThat(vm.getStatus().getReason()).isEqualTo(Reasons.INVALID);
              assertThat(vm.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID))
                  .isTrue();
              assertThat(vm.getStatus().getMessage()).isEqualTo(problem);
            });
    awaitOneInvalidWarning(ns, "vm", problem);
  }

  @Test
  void anInvalidRunFails() {
    String ns = "invalid";
    createRunFromYaml(client, ns, "run", "{vmName: v, command: [ls], shell: ls}");
    String problem = "spec: set exactly one of command (argv) or shell";
    await()
        .untilAsserted(
            () -> {
              EraRun run = getRun(client, ns, "run");
              assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Failed);
              assertThat(run.getStatus().getReason()).isEqualTo(Reasons.INVALID);
              assertThat(run.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID))
                  .isTrue();
              assertThat(run.getStatus().getMessage()).isEqualTo(problem);
              assertThat(run.getStatus().getFinishedAt()).isNotNull();
            });
    awaitOneInvalidWarning(ns, "run", problem);
  }

  @Test
  void anInvalidVmIsLeftAloneThenPlacedOnceFixed() {
    readyNode(client, "n", 4, "4Gi");
    String ns = "fix";
    createVmFromYaml(client, ns, "vm", "{memory: 64Mi}");
    await().until(() -> getVm(client, ns, "vm").getStatus().getPhase() == EraVMPhase.Failed);

    // Invalid again for the same reason: the reconcile that saw generation 2 records it, and by
    // then
    // the operator has handled the echo of its own Failed write too.
    editSpec(client, ns, "vm", vm -> vm.getSpec().setMemory("100Mi"));
    await()
        .until(
            () ->
                Long.valueOf(2)
                    .equals(getVm(client, ns, "vm").getStatus().getObservedGeneration()));
    String version = getVm(client, ns, "vm").getMetadata().getResourceVersion();
    await().untilAsserted(() -> assertThat(events(client, ns, "vm")).hasSize(1));
    // No retry storm: nothing is written again while the spec stays invalid.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                version.equals(getVm(client, ns, "vm").getMetadata().getResourceVersion())
                    && events(client, ns, "vm").size() == 1);

    editSpec(client, ns, "vm", vm -> vm.getSpec().setMemory("256Mi"));
    EraVM fixed = awaitPhase(client, ns, "vm", EraVMPhase.Scheduled);
    assertThat(fixed.getStatus().condition(ConditionTypes.READY)).isEmpty();
    assertThat(fixed.getStatus().getReason()).isNull();
  }

  @Test
  void aPlacedVmCannotBePinnedToAnotherNode() {
    readyNode(client, "here", 4, "4Gi");
    String ns = "repin";
    createVm(client, ns, "vm", vm -> {});
    awaitPhase(client, ns, "vm", EraVMPhase.Scheduled);
    editSpec(client, ns, "vm", vm -> vm.getSpec().setNodeName("there"));
    await()
        .untilAsserted(
            () -> {
              EraVM vm = getVm(client, ns, "vm");
              assertThat(vm.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID))
                  .isTrue();
              assertThat(vm.getStatus().getMessage())
                  .contains("spec.nodeName: the VM is already placed on here");
              assertThat(vm.shouldRun()).isFalse();
              assertThat(vm.getStatus().getNodeName()).isEqualTo("here");
            });
  }

  /** The one event about the object: a Warning that its spec is invalid, and why. */
  private void awaitOneInvalidWarning(String ns, String name, String problem) {
    await()
        .untilAsserted(
            () ->
                assertThat(events(client, ns, name))
                    .singleElement()
                    .satisfies(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo(Reasons.INVALID);
                          assertThat(e.getMessage()).isEqualTo(problem);
                        }));
  }
}
