package dev.era.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.era.api.EraVM;
import dev.era.api.Reasons;
import dev.era.apiserver.Component;
import dev.era.apiserver.testing.ApiServerExtension;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link EventRecorder} counts repeats in one Event, as client-go does, with each component's chart
 * RBAC (the embedded API server enforces it).
 */
class EventAggregationTest {
  private static final String NS = "events";
  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  @RegisterExtension static final ApiServerExtension API = new ApiServerExtension();

  private final AtomicReference<Instant> now = new AtomicReference<>(START);
  private final EventRecorder operator = recorderAs(Component.OPERATOR);

  @ParameterizedTest
  @EnumSource(Component.class)
  void aRepeatRaisesTheCountOfOneEvent(Component component) {
    EraVM vm = vm("repeat-" + component.ordinal());
    EventRecorder recorder = recorderAs(component);

    recorder.warning(vm, Reasons.BOOT_FAILED, "no kernel");
    now.set(START.plusSeconds(5));
    recorder.warning(vm, Reasons.BOOT_FAILED, "no kernel");

    assertThat(events(API.client(), NS, vm.getMetadata().getName()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).isEqualTo(2);
              assertThat(e.getFirstTimestamp()).isEqualTo("2025-01-01T00:00:00Z");
              assertThat(e.getLastTimestamp()).isEqualTo("2025-01-01T00:00:05Z");
            });
  }

  @Test
  void anotherTypeReasonOrMessageIsAnotherEvent() {
    EraVM vm = vm("different");

    operator.normal(vm, Reasons.PLACED, "on node a");
    operator.normal(vm, Reasons.PLACED, "on node b");
    operator.normal(vm, Reasons.RESCHEDULED, "on node b");
    operator.warning(vm, Reasons.RESCHEDULED, "on node b");

    assertThat(events(API.client(), NS, "different"))
        .extracting(Event::getType, Event::getReason, Event::getMessage, Event::getCount)
        .containsExactlyInAnyOrder(
            tuple("Normal", Reasons.PLACED, "on node a", 1),
            tuple("Normal", Reasons.PLACED, "on node b", 1),
            tuple("Normal", Reasons.RESCHEDULED, "on node b", 1),
            tuple("Warning", Reasons.RESCHEDULED, "on node b", 1));
  }

  @Test
  void anEventDeletedMeanwhileIsCreatedAgain() {
    EraVM vm = vm("deleted");
    operator.normal(vm, Reasons.STOPPED, "stopped");
    operator.normal(vm, Reasons.STOPPED, "stopped");
    events(API.client(), NS, "deleted").forEach(e -> API.client().resource(e).delete());

    now.set(START.plus(Duration.ofHours(2)));
    operator.normal(vm, Reasons.STOPPED, "stopped");

    assertThat(events(API.client(), NS, "deleted"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).isEqualTo(1);
              assertThat(e.getFirstTimestamp()).isEqualTo("2025-01-01T02:00:00Z");
            });
  }

  @Test
  void recordingLeavesTheWriteToTheRecordersExecutor() {
    EraVM vm = vm("queued");
    List<Runnable> queued = new ArrayList<>();
    EventRecorder recorder =
        new EventRecorder(API.client(), "era-operator", null, now::get, queued::add);

    recorder.normal(vm, Reasons.STOPPED, "stopped");
    recorder.normal(vm, Reasons.STOPPED, "stopped");

    assertThat(events(API.client(), NS, "queued")).isEmpty();
    queued.forEach(Runnable::run);
    assertThat(events(API.client(), NS, "queued"))
        .singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(2));
  }

  @Test
  void aRecorderWritesInTheBackgroundOneEventAtATime() {
    EraVM vm = vm("background");
    EventRecorder recorder = new EventRecorder(API.client(), "era-operator", null);

    recorder.normal(vm, Reasons.PLACED, "on node a");
    recorder.normal(vm, Reasons.PLACED, "on node a");
    recorder.warning(vm, Reasons.RESCHEDULED, "on node b");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(events(API.client(), NS, "background"))
                    .extracting(Event::getReason, Event::getCount)
                    .containsExactlyInAnyOrder(
                        tuple(Reasons.PLACED, 2), tuple(Reasons.RESCHEDULED, 1)));
  }

  private static EraVM vm(String name) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace(NS);
    return API.client().resource(vm).create();
  }

  private EventRecorder recorderAs(Component component) {
    return new EventRecorder(
        API.clientOf(component), component.serviceAccount(), null, now::get, Runnable::run);
  }

  private static List<Event> events(KubernetesClient client, String namespace, String objectName) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> objectName.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
