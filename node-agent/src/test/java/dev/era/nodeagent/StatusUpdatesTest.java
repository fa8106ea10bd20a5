package dev.era.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import dev.era.nodeagent.StatusUpdates.Result;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StatusUpdatesTest {
  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();
  static KubernetesClient client;

  /** The code under test writes as the node agent. */
  static KubernetesClient agent;

  @BeforeAll
  static void connect() {
    client = API.client();
    agent = API.clientOf(Component.NODE_AGENT);
  }

  @Test
  void aConflictReappliesTheEditOnTheLatestStatusAndKeepsTheOtherWrite() {
    EraRun stale = create("conflict");
    EraRun other = client.resource(stale).get();
    other.getStatus().setMessage("written by the operator");
    client.resource(other).updateStatus();

    Result result =
        StatusUpdates.update(agent, stale, r -> true, r -> r.getStatus().setReason("Mine"));

    assertThat(result).isEqualTo(Result.WRITTEN);
    EraRun now = client.resource(stale).get();
    assertThat(now.getStatus().getReason()).isEqualTo("Mine");
    assertThat(now.getStatus().getMessage()).isEqualTo("written by the operator");
  }

  @Test
  void onlyOneOfTwoClaimsFromTheSameCopyWins() {
    EraRun seen = create("claim");
    var claim =
        (java.util.function.Predicate<EraRun>) r -> r.getStatus().getPhase() == EraRunPhase.Pending;

    Result first =
        StatusUpdates.update(agent, seen, claim, r -> r.getStatus().setPhase(EraRunPhase.Running));
    Result second =
        StatusUpdates.update(agent, seen, claim, r -> r.getStatus().setPhase(EraRunPhase.Running));

    assertThat(first).isEqualTo(Result.WRITTEN);
    assertThat(second).isEqualTo(Result.DECLINED);
  }

  @Test
  void aPreconditionThatFailsOnAStaleCopyIsCheckedOnTheLatest() {
    EraRun stale = create("stale");
    EraRun running = client.resource(stale).get();
    running.getStatus().setPhase(EraRunPhase.Running);
    client.resource(running).updateStatus();

    Result result =
        StatusUpdates.update(
            agent,
            stale,
            r -> r.getStatus().getPhase() == EraRunPhase.Running,
            r -> r.getStatus().setPhase(EraRunPhase.Succeeded));

    assertThat(result).isEqualTo(Result.WRITTEN);
    assertThat(client.resource(stale).get().getStatus().getPhase())
        .isEqualTo(EraRunPhase.Succeeded);
  }

  @Test
  void anEditThatChangesNothingWritesNothing() {
    EraRun run = create("same");
    String version = run.getMetadata().getResourceVersion();

    Result result =
        StatusUpdates.update(
            agent, run, r -> true, r -> r.getStatus().setPhase(EraRunPhase.Pending));

    assertThat(result).isEqualTo(Result.UNCHANGED);
    assertThat(client.resource(run).get().getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void aDeletedResourceIsDeclined() {
    EraRun run = create("gone");
    client.resource(run).delete();

    Result result = StatusUpdates.update(agent, run, r -> true, r -> r.getStatus().setReason("X"));

    assertThat(result).isEqualTo(Result.DECLINED);
  }

  private static EraRun create(String name) {
    EraRun run = new EraRun();
    run.getMetadata().setName(name);
    run.getMetadata().setNamespace("default");
    run.getSpec().setVmName("vm");
    run.getSpec().setShell("true");
    return client.resource(run).create();
  }
}
