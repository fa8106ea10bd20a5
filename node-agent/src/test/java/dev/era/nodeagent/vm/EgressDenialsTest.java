package dev.era.nodeagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.EraVM;
import dev.era.api.Reasons;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import dev.era.kube.EventRecorder;
import dev.era.launcher.egress.EgressDenial;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Refused egress becomes Warning events, written with the node agent's own RBAC, rate-limited. */
class EgressDenialsTest {
  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();

  private final KubernetesClient agent = API.clientOf(Component.NODE_AGENT);

  @Test
  void aDenialBecomesAWarningEventOnTheVmNamingTheDestination() throws Exception {
    EgressDenials denials = denials("vm-a", "web");

    denials.denied(
        new EgressDenial("vm-a", "evil.example:443", "not in the VM's egress allow-list"));
    denials.denied(new EgressDenial("unknown-vm", "evil.example:443", "not in the list"));
    denials.close();

    assertThat(events("web"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo(Reasons.EGRESS_DENIED);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "egress to evil.example:443 refused: not in the VM's egress allow-list");
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("EraVM");
              assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-web");
            });
  }

  @Test
  void aGuestHammeringRefusedDestinationsGetsAFewEventsAMinuteAtMost() throws Exception {
    EgressDenials denials = denials("vm-b", "hammer");

    for (int i = 0; i < 500; i++) {
      denials.denied(new EgressDenial("vm-b", "host-" + i + ".example:443", "not in the list"));
    }
    denials.close();

    assertThat(events("hammer")).hasSize(EgressDenials.PER_MINUTE);
  }

  private EgressDenials denials(String vmId, String name) {
    EraVM vm = new EraVM();
    vm.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("default")
            .withName(name)
            .withUid("uid-" + name)
            .build());
    return new EgressDenials(
        id -> id.equals(vmId) ? Optional.of(vm) : Optional.empty(),
        new EventRecorder(
            agent, "era-node-agent", "node-a", InstantSource.system(), Runnable::run));
  }

  private List<Event> events(String name) {
    return API.client().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
