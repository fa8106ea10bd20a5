package dev.era.nodeagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.EraVM;
import dev.era.api.Finalizers;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FinalizerRemovalTest {
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
  void removesOnlyItsFinalizerEvenFromAStaleCopy() {
    EraVM stale = create("stale", List.of(Finalizers.VM_CLEANUP));
    EraVM other = client.resource(stale).get();
    other.addFinalizer("example.com/other");
    client.resource(other).update();

    FinalizerRemoval.remove(agent, stale, Finalizers.VM_CLEANUP);

    assertThat(client.resource(stale).get().getMetadata().getFinalizers())
        .containsExactly("example.com/other");
  }

  @Test
  void findsItsFinalizerAgainWhenAnotherWasInsertedBeforeIt() {
    EraVM stale = create("shifted", List.of(Finalizers.VM_CLEANUP));
    EraVM other = client.resource(stale).get();
    other.getMetadata().setFinalizers(List.of("example.com/first", Finalizers.VM_CLEANUP));
    client.resource(other).update();

    FinalizerRemoval.remove(agent, stale, Finalizers.VM_CLEANUP);

    assertThat(client.resource(stale).get().getMetadata().getFinalizers())
        .containsExactly("example.com/first");
  }

  @Test
  void removingTheLastFinalizerOfADeletedVmLetsItGo() {
    EraVM vm = create("deleted", List.of(Finalizers.VM_CLEANUP));
    client.resource(vm).delete();
    EraVM deleting = client.resource(vm).get();
    assertThat(deleting.isMarkedForDeletion()).isTrue();

    FinalizerRemoval.remove(agent, deleting, Finalizers.VM_CLEANUP);

    assertThat(client.resource(vm).get()).isNull();
  }

  private static EraVM create(String name, List<String> finalizers) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace("default");
    vm.getMetadata().setFinalizers(finalizers);
    return client.resource(vm).create();
  }
}
