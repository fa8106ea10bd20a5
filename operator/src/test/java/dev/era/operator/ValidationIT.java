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
import dev.era.api.EraRunValidator;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMValidator;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every schema rule and every semantic rule, broken on purpose. What the CRD's schema forbids, the
 * API server refuses, as in a cluster, with a cause naming the field; the operator's own checks
 * (api's validators) name the same problem, for objects stored before a rule existed. What only the
 * CRD's CEL rules or no schema rule at all forbid (the embedded API server evaluates no CEL)
 * reaches the operator, which must answer with Ready=False/Invalid, a Warning event and a message
 * naming the field.
 */
@QuarkusTest
@WithEmbeddedApiServer(Component.OPERATOR)
class ValidationIT {
  private static final AtomicInteger NAMES = new AtomicInteger();

  @AdminClient KubernetesClient client;

  @BeforeEach
  void startEmpty() {
    TestCluster.clear(client);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      {language: ruby}                                   | spec.language: 'ruby' is not one of [python, node]
      {cpu: 0}                                           | spec.cpu: must be between 1 and 64 (got 0)
      {cpu: 65}                                          | spec.cpu: must be between 1 and 64 (got 65)
      {memory: lots}                                     | spec.memory: 'lots' is not a quantity
      {memory: 1000000000000000000000000000000000Mi}     | spec.memory: '1000000000000000000000000000000000Mi' is not a quantity
      {network: wifi}                                    | spec.network: 'wifi' is not one of [none, egress, full]
      {network: egress, egressAllow: ['http://a.org']}   | spec.egressAllow[0]: 'http://a.org' is not host[:port]
      {persist: {}}                                      | spec.persist.size: is required
      {persist: {size: big}}                             | spec.persist.size: 'big' is not a quantity
      {nodeName: Bad_Node}                               | spec.nodeName: 'Bad_Node' is not a valid node name
      {ttl: {idleSeconds: 0}}                            | spec.ttl.idleSeconds: must be at least 1 (got 0)
      {ttl: {absoluteSeconds: 0}}                        | spec.ttl.absoluteSeconds: must be at least 1 (got 0)
      {ttl: {idleSeconds: 5, action: Pause}}             | spec.ttl.action: 'Pause' is not one of [Stop, Delete]
      """)
  void aVmTheSchemaForbidsIsRefusedByTheApiServer(String spec, String problem) {
    EraVM vm = vmFromYaml(client, "invalid-vm", "vm-" + NAMES.incrementAndGet(), spec);
    assertRefusedByTheApiServer(vm, EraVMValidator.validate(vm.getSpec()), problem);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      {memory: 64Mi}                                     | spec.memory: must be at least 128Mi
      {network: egress}                                  | spec.egressAllow: network egress needs a non-empty list
      {egressAllow: [pypi.org]}                          | spec.egressAllow: is only allowed with network egress
      {network: egress, egressAllow: ['a.org:70000']}    | spec.egressAllow[0]: port must be between 1 and 65535
      {persist: {size: '0'}}                             | spec.persist.size: must be more than zero
      {ttl: {action: Stop}}                              | spec.ttl: needs idleSeconds or absoluteSeconds
      """)
  void anInvalidVmIsRejected(String spec, String problem) {
    String ns = "invalid-vm";
    String name = "vm-" + NAMES.incrementAndGet();
    createVmFromYaml(client, ns, name, spec);
    await()
        .untilAsserted(
            () -> {
              EraVM vm = getVm(client, ns, name);
              assertThat(vm.getStatus().getPhase()).isEqualTo(EraVMPhase.Failed);
              assertThat(vm.getStatus().getReason()).isEqualTo(Reasons.INVALID);
              assertThat(vm.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID))
                  .isTrue();
              assertThat(vm.getStatus().getMessage()).contains(problem);
            });
    assertThat(events(client, ns, name))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo(Reasons.INVALID);
              assertThat(e.getMessage()).contains(problem);
            });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      {shell: ls}                                                   | spec.vmName: is required
      {vmName: Bad_VM, shell: ls}                                   | spec.vmName: 'Bad_VM' is not a valid EraVM name
      {vmName: v, shell: ''}                                        | spec.shell: must not be empty
      {vmName: v, shell: ls, files: [{path: /etc/passwd, content: x}]} | spec.files[0].path: '/etc/passwd' is not a relative path
      {vmName: v, shell: ls, files: [{path: a/../../b, content: x}]} | spec.files[0].path: 'a/../../b' is not a relative path
      {vmName: v, shell: ls, files: [{content: x}]}                 | spec.files[0].path: is required
      {vmName: v, shell: ls, files: [{path: a, contentBase64: '***'}]} | spec.files[0].contentBase64: '***' is not base64
      {vmName: v, shell: ls, files: [{path: a, configMapRef: {name: c}}]} | spec.files[0].configMapRef.key: is required
      {vmName: v, shell: ls, files: [{path: a, secretRef: {name: s, key: 'k/1'}}]} | spec.files[0].secretRef.key: 'k/1' is not a valid key
      {vmName: v, shell: ls, files: [{path: a, content: x, mode: 512}]} | spec.files[0].mode: must be between 0 and 511 (got 512)
      {vmName: v, shell: ls, env: [{name: 1X, value: y}]}           | spec.env[0].name: '1X' is not a valid variable name
      {vmName: v, shell: ls, env: [{value: y}]}                     | spec.env[0].name: is required
      {vmName: v, shell: ls, timeoutSeconds: 0}                     | spec.timeoutSeconds: must be between 1 and 86400 (got 0)
      {vmName: v, shell: ls, timeoutSeconds: 86401}                 | spec.timeoutSeconds: must be between 1 and 86400 (got 86401)
      """)
  void aRunTheSchemaForbidsIsRefusedByTheApiServer(String spec, String problem) {
    EraRun run = runFromYaml(client, "invalid-run", "run-" + NAMES.incrementAndGet(), spec);
    assertRefusedByTheApiServer(run, EraRunValidator.validate(run.getSpec()), problem);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      {vmName: v, command: [ls], shell: ls}                         | spec: set exactly one of command (argv) or shell
      {vmName: v}                                                   | spec: set exactly one of command (argv) or shell
      {vmName: v, shell: ls, files: [{path: a}]}                    | spec.files[0]: needs exactly one of content, contentBase64, configMapRef, secretRef
      {vmName: v, shell: ls, files: [{path: a, content: x, contentBase64: eA==}]} | spec.files[0]: needs exactly one of
      {vmName: v, shell: ls, files: [{path: a, content: x}, {path: a, content: y}]} | spec.files[1].path: duplicates an earlier file's path
      {vmName: v, shell: ls, env: [{name: X, value: a}, {name: X, value: b}]} | spec.env[1].name: duplicates an earlier variable
      """)
  void anInvalidRunFails(String spec, String problem) {
    String ns = "invalid-run";
    String name = "run-" + NAMES.incrementAndGet();
    createRunFromYaml(client, ns, name, spec);
    await()
        .untilAsserted(
            () -> {
              EraRun run = getRun(client, ns, name);
              assertThat(run.getStatus().getPhase()).isEqualTo(EraRunPhase.Failed);
              assertThat(run.getStatus().getReason()).isEqualTo(Reasons.INVALID);
              assertThat(run.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID))
                  .isTrue();
              assertThat(run.getStatus().getMessage()).contains(problem);
              assertThat(run.getStatus().getFinishedAt()).isNotNull();
            });
    assertThat(events(client, ns, name))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo(Reasons.INVALID));
  }

  /**
   * Creating {@code object} fails with a 422 whose causes name the field the problem is about (what
   * precedes its first colon), and the operator's own check ({@code javaProblems}) names it too.
   */
  private void assertRefusedByTheApiServer(
      HasMetadata object, List<String> javaProblems, String problem) {
    String field = problem.substring(0, problem.indexOf(':'));
    assertThatThrownBy(() -> client.resource(object).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getDetails().getCauses())
                  .extracting(StatusCause::getField)
                  .contains(field);
            });
    assertThat(javaProblems).anySatisfy(p -> assertThat(p).contains(problem));
  }

  @Test
  void anInvalidVmIsLeftAloneThenPlacedOnceFixed() {
    readyNode(client, "n", 4, "4Gi");
    String ns = "fix";
    createVmFromYaml(client, ns, "vm", "{memory: 64Mi}");
    await().until(() -> getVm(client, ns, "vm").getStatus().getPhase() == EraVMPhase.Failed);
    String version = getVm(client, ns, "vm").getMetadata().getResourceVersion();

    // No retry storm: nothing is written again while the spec stays invalid.
    await()
        .during(Duration.ofMillis(1500))
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
}
