package dev.era.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraVM;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import dev.era.kube.ResourceWriter.Result;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ResourceWriterTest {
  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();
  static KubernetesClient client;
  static ResourceWriter<EraRun> runs;
  static ResourceWriter<EraVM> vms;

  @BeforeAll
  static void connect() {
    client = API.client();
    runs = ResourceWriter.direct(API.clientOf(Component.NODE_AGENT));
    vms = ResourceWriter.direct(API.clientOf(Component.OPERATOR));
  }

  @Test
  void aConflictReappliesTheEditOnTheLatestStatusAndKeepsTheOtherWrite() {
    EraRun stale = createRun("conflict");
    operatorWritesAMessage(stale);

    Result result = runs.write(stale, r -> true, r -> r.getStatus().setReason("Mine"));

    assertThat(result).isEqualTo(Result.WRITTEN);
    EraRun now = client.resource(stale).get();
    assertThat(now.getStatus().getReason()).isEqualTo("Mine");
    assertThat(now.getStatus().getMessage()).isEqualTo("written by the operator");
  }

  @Test
  void onlyOneOfTwoClaimsFromTheSameCopyWins() {
    EraRun seen = createRun("claim");
    Predicate<EraRun> claim = r -> r.getStatus().getPhase() == EraRunPhase.Pending;

    Result first = runs.write(seen, claim, r -> r.getStatus().setPhase(EraRunPhase.Running));
    Result second = runs.write(seen, claim, r -> r.getStatus().setPhase(EraRunPhase.Running));

    assertThat(first).isEqualTo(Result.WRITTEN);
    assertThat(second).isEqualTo(Result.DECLINED);
  }

  @Test
  void aPreconditionThatFailsOnAStaleCopyIsCheckedOnTheLatest() {
    EraRun stale = createRun("stale");
    EraRun running = client.resource(stale).get();
    running.getStatus().setPhase(EraRunPhase.Running);
    client.resource(running).updateStatus();

    Result result =
        runs.write(
            stale,
            r -> r.getStatus().getPhase() == EraRunPhase.Running,
            r -> r.getStatus().setPhase(EraRunPhase.Succeeded));

    assertThat(result).isEqualTo(Result.WRITTEN);
    assertThat(client.resource(stale).get().getStatus().getPhase())
        .isEqualTo(EraRunPhase.Succeeded);
  }

  @Test
  void anEditThatChangesNothingWritesNothing() {
    EraRun run = createRun("same");
    runs.write(run, r -> r.getStatus().setPhase(EraRunPhase.Pending));
    EraRun pending = client.resource(run).get();

    Result result = runs.write(pending, r -> r.getStatus().setPhase(EraRunPhase.Pending));

    assertThat(result).isEqualTo(Result.UNCHANGED);
    assertThat(client.resource(run).get().getMetadata().getResourceVersion())
        .isEqualTo(pending.getMetadata().getResourceVersion());
  }

  @Test
  void aValueTheStatusWasBornWithIsWrittenWhenSet() {
    EraRun run = createRun("born");

    Result result = runs.write(run, r -> r.getStatus().setPhase(EraRunPhase.Pending));

    assertThat(result).isEqualTo(Result.WRITTEN);
    assertThat(
            client
                .genericKubernetesResources("era.dev/v1alpha1", "EraRun")
                .inNamespace("default")
                .withName("born")
                .get()
                .get("status", "phase")
                .toString())
        .isEqualTo("Pending");
  }

  @Test
  void aFieldSetToNullIsRemoved() {
    EraRun run = createRun("cleared");
    runs.write(run, r -> r.getStatus().setReason("Waiting"));

    runs.write(client.resource(run).get(), r -> r.getStatus().setReason(null));

    assertThat(client.resource(run).get().getStatus().getReason()).isNull();
  }

  @Test
  void anUnconditionalWriteOfScalarsMergesIntoANewerVersionWithoutRereading() {
    EraRun stale = createRun("scalars");
    operatorWritesAMessage(stale);
    List<String> sentVersions = new ArrayList<>();
    ResourceWriter<EraRun> watched =
        ResourceWriter.through(
            client,
            (target, request) -> {
              sentVersions.add(target.getMetadata().getResourceVersion());
              return request.apply(target);
            });

    assertThat(watched.write(stale, r -> r.getStatus().setReason("Mine")))
        .isEqualTo(Result.WRITTEN);

    EraRun now = client.resource(stale).get();
    assertThat(now.getStatus().getReason()).isEqualTo("Mine");
    assertThat(now.getStatus().getMessage()).isEqualTo("written by the operator");
    assertThat(sentVersions).containsExactly(stale.getMetadata().getResourceVersion());
  }

  @Test
  void anUnconditionalWriteOfAListIsGuardedAndKeepsTheOtherEntries() {
    EraVM stale = createVm("conditions");
    EraVM other = client.resource(stale).get();
    other.getStatus().setCondition("Scheduled", true, "Placed", "by the operator", Instant.now());
    client.resource(other).updateStatus();

    vms.write(
        stale, v -> v.getStatus().setCondition("Ready", true, "Up", "by the agent", Instant.now()));

    assertThat(client.resource(stale).get().getStatus().getConditions())
        .extracting(c -> c.getType())
        .containsExactly("Scheduled", "Ready");
  }

  @Test
  void removesOnlyItsFinalizerEvenFromAStaleCopy() {
    EraVM stale = createVm("finalizers", "era.dev/vm-cleanup");
    EraVM other = client.resource(stale).get();
    other.addFinalizer("example.com/other");
    client.resource(other).update();

    vms.write(stale, v -> v.removeFinalizer("era.dev/vm-cleanup"));

    assertThat(client.resource(stale).get().getMetadata().getFinalizers())
        .containsExactly("example.com/other");
  }

  @Test
  void removingTheLastFinalizerOfADeletedResourceLetsItGo() {
    EraVM vm = createVm("deleting", "era.dev/vm-cleanup");
    client.resource(vm).delete();
    EraVM deleting = client.resource(vm).get();

    assertThat(vms.write(deleting, v -> v.removeFinalizer("era.dev/vm-cleanup")))
        .isEqualTo(Result.WRITTEN);

    assertThat(client.resource(vm).get()).isNull();
  }

  @Test
  void aReconcilesChangesAreWrittenAloneToTheVersionItRead() {
    EraVM read = createVm("reconciled");
    EraVM edited = client.getKubernetesSerialization().clone(read);
    edited.getMetadata().setLabels(Map.of("era.dev/node", "n1"));
    edited.getStatus().setNodeName("n1");

    assertThat(vms.writeChanges(read, edited)).isEqualTo(Result.WRITTEN);

    EraVM now = client.resource(read).get();
    assertThat(now.getMetadata().getLabels()).containsEntry("era.dev/node", "n1");
    assertThat(now.getStatus().getNodeName()).isEqualTo("n1");
  }

  @Test
  void aReconcilesChangesAreDeclinedWhenTheResourceChangedSince() {
    EraVM read = createVm("outdated");
    EraVM other = client.resource(read).get();
    other.getStatus().setMessage("written by the node agent");
    client.resource(other).updateStatus();
    EraVM edited = client.getKubernetesSerialization().clone(read);
    edited.getStatus().setNodeName("n1");

    assertThat(vms.writeChanges(read, edited)).isEqualTo(Result.DECLINED);

    EraVM now = client.resource(read).get();
    assertThat(now.getStatus().getNodeName()).isNull();
    assertThat(now.getStatus().getMessage()).isEqualTo("written by the node agent");
  }

  @Test
  void aDeletedResourceIsDeclined() {
    EraRun run = createRun("gone");
    client.resource(run).delete();

    assertThat(runs.write(run, r -> true, r -> r.getStatus().setReason("X")))
        .isEqualTo(Result.DECLINED);
  }

  @Test
  void aResourceThatKeepsChangingFailsAfterBoundedAttempts() {
    EraRun run = createRun("busy");
    int[] attempts = {0};
    ResourceWriter<EraRun> contended =
        ResourceWriter.through(
            client,
            (target, request) -> {
              attempts[0]++;
              EraRun other = client.resource(target).get();
              other.getStatus().setMessage("change " + attempts[0]);
              client.resource(other).updateStatus();
              return request.apply(target);
            });

    assertThatThrownBy(() -> contended.write(run, r -> true, r -> r.getStatus().setReason("Mine")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("kept changing");
    assertThat(attempts[0]).isEqualTo(ResourceWriter.ATTEMPTS);
  }

  private static void operatorWritesAMessage(EraRun run) {
    EraRun other = client.resource(run).get();
    other.getStatus().setMessage("written by the operator");
    client.resource(other).updateStatus();
  }

  private static EraRun createRun(String name) {
    EraRun run = new EraRun();
    run.getMetadata().setName(name);
    run.getMetadata().setNamespace("default");
    run.getSpec().setVmName("vm");
    run.getSpec().setShell("true");
    return client.resource(run).create();
  }

  private static EraVM createVm(String name, String... finalizers) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace("default");
    vm.getMetadata().setFinalizers(List.of(finalizers));
    return client.resource(vm).create();
  }
}
