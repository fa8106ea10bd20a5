package dev.era.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Reasons;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CapacityFreedTest {
  private static final Set<ResourceID> WAITING =
      Set.of(new ResourceID("w1", "ns"), new ResourceID("w2", "ns"));

  private final List<ResourceID> woken = new ArrayList<>();
  private final CapacityFreed source = new CapacityFreed(() -> WAITING);

  @BeforeEach
  void start() {
    source.setEventHandler(event -> woken.add(event.getRelatedCustomResourceID()));
    source.start();
  }

  private static EraVM vm(Consumer<EraVM> edit) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName("a");
    vm.getMetadata().setNamespace("ns");
    vm.getSpec().setCpu(2);
    vm.getSpec().setMemory("1Gi");
    edit.accept(vm);
    return vm;
  }

  @Test
  void aVmThatStopsHoldingCapacityWakesTheWaitingOnes() {
    source.onResourceUpdated(vm(v -> v.getSpec().setRunning(false)), vm(v -> {}));
    assertThat(woken).containsExactlyInAnyOrderElementsOf(WAITING);
  }

  @Test
  void expiringFailingOrShrinkingFreesCapacity() {
    EraVM holding = vm(v -> {});
    assertThat(
            CapacityFreed.freesCapacity(
                holding,
                vm(
                    v ->
                        v.getStatus()
                            .setCondition(
                                ConditionTypes.EXPIRED,
                                true,
                                Reasons.IDLE_TIMEOUT,
                                "",
                                Instant.EPOCH))))
        .isTrue();
    assertThat(
            CapacityFreed.freesCapacity(
                holding, vm(v -> v.getStatus().setPhase(EraVMPhase.Failed))))
        .isTrue();
    assertThat(CapacityFreed.freesCapacity(holding, vm(v -> v.getSpec().setCpu(1)))).isTrue();
  }

  @Test
  void otherChangesWakeNobody() {
    source.onResourceUpdated(vm(v -> v.getStatus().setPhase(EraVMPhase.Running)), vm(v -> {}));
    // Starting again takes capacity; it frees none.
    source.onResourceUpdated(vm(v -> {}), vm(v -> v.getSpec().setRunning(false)));
    assertThat(woken).isEmpty();
  }

  @Test
  void deletingAVmWakesTheWaitingOnlyWhenItHeldCapacity() {
    source.onResourceDeleted(vm(v -> v.getSpec().setRunning(false)));
    assertThat(woken).isEmpty();
    source.onResourceDeleted(vm(v -> {}));
    assertThat(woken).containsExactlyInAnyOrderElementsOf(WAITING);
  }
}
