package dev.era.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.api.TtlSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TtlVerdictTest {
  private static final Instant CREATED = Instant.parse("2025-01-01T00:00:00Z");

  private static EraVM vm(Long idle, Long absolute, String action) {
    EraVM vm = new EraVM();
    vm.getMetadata().setCreationTimestamp(Times.format(CREATED));
    TtlSpec ttl = new TtlSpec();
    ttl.setIdleSeconds(idle);
    ttl.setAbsoluteSeconds(absolute);
    ttl.setAction(action);
    vm.getSpec().setTtl(ttl);
    return vm;
  }

  private static void running(EraVM vm, Instant bootedAt) {
    vm.getStatus().setPhase(EraVMPhase.Running);
    vm.getStatus().setBootedAt(Times.format(bootedAt));
  }

  private static void assertExpired(TtlVerdict verdict, String reason, boolean delete) {
    assertThat(verdict.expiredReason()).contains(reason);
    assertThat(verdict.delete()).as("deletes the VM").isEqualTo(delete);
  }

  @Test
  void noTtlNoVerdict() {
    TtlVerdict verdict = TtlVerdict.of(new EraVM(), CREATED.plusSeconds(1_000_000));
    assertThat(verdict.expiredReason()).isEmpty();
    assertThat(verdict.nextCheck()).isEmpty();
  }

  @Test
  void absoluteCountsFromCreation() {
    EraVM vm = vm(null, 60L, "Delete");
    TtlVerdict before = TtlVerdict.of(vm, CREATED.plusSeconds(59));
    assertThat(before.expiredReason()).isEmpty();
    assertThat(before.nextCheck()).contains(CREATED.plusSeconds(60));
    assertExpired(TtlVerdict.of(vm, CREATED.plusSeconds(60)), Reasons.ABSOLUTE_TIMEOUT, true);
  }

  @Test
  void idleCountsOnlyWhileRunningFromTheLastRun() {
    EraVM vm = vm(30L, null, "Stop");
    assertThat(TtlVerdict.of(vm, CREATED.plusSeconds(3600)).expiredReason()).isEmpty();
    running(vm, CREATED.plusSeconds(100));
    vm.getStatus().setLastRunAt(Times.format(CREATED.plusSeconds(200)));
    assertThat(TtlVerdict.of(vm, CREATED.plusSeconds(229)).nextCheck())
        .contains(CREATED.plusSeconds(230));
    assertExpired(TtlVerdict.of(vm, CREATED.plusSeconds(230)), Reasons.IDLE_TIMEOUT, false);
  }

  @Test
  void anIdleStopHoldsUntilTheUserStopsTheVm() {
    EraVM vm = vm(30L, null, "Stop");
    vm.getStatus().setPhase(EraVMPhase.Stopped);
    vm.getStatus().setCondition(ConditionTypes.EXPIRED, true, Reasons.IDLE_TIMEOUT, "", CREATED);
    assertThat(TtlVerdict.of(vm, CREATED.plusSeconds(1)).expiredReason())
        .contains(Reasons.IDLE_TIMEOUT);
    vm.getSpec().setRunning(false);
    assertThat(TtlVerdict.of(vm, CREATED.plusSeconds(1)).expiredReason()).isEmpty();
  }

  @Test
  void theEarlierDeadlineIsTheNextCheck() {
    EraVM vm = vm(30L, 1000L, "Stop");
    running(vm, CREATED.plusSeconds(10));
    assertThat(TtlVerdict.of(vm, CREATED.plusSeconds(20)).nextCheck())
        .contains(CREATED.plusSeconds(40));
  }
}
