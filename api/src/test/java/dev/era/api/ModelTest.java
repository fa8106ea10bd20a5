package dev.era.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ModelTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void setConditionKeepsTransitionTimeWhileStatusHolds() {
    EraVMStatus status = new EraVMStatus();
    assertThat(status.setCondition("Ready", false, "Booting", "wait", T0)).isTrue();
    assertThat(status.setCondition("Ready", false, "Booting", "wait", T0.plusSeconds(5))).isFalse();
    assertThat(status.setCondition("Ready", false, "Other", "x", T0.plusSeconds(9))).isTrue();
    assertThat(status.condition("Ready").orElseThrow().getLastTransitionTime())
        .isEqualTo("2025-01-01T00:00:00Z");
    status.setCondition("Ready", true, "GuestReady", "", T0.plusSeconds(10));
    assertThat(status.condition("Ready").orElseThrow().getLastTransitionTime())
        .isEqualTo("2025-01-01T00:00:10Z");
    assertThat(status.isTrue("Ready")).isTrue();
    assertThat(status.getConditions()).hasSize(1);
  }

  @Test
  void vmPhaseTransitions() {
    assertThat(EraVMPhase.Pending.canTransitionTo(EraVMPhase.Scheduled)).isTrue();
    assertThat(EraVMPhase.Pending.canTransitionTo(EraVMPhase.Running)).isFalse();
    assertThat(EraVMPhase.Running.canTransitionTo(EraVMPhase.Pending)).isTrue();
    assertThat(EraVMPhase.Stopped.canTransitionTo(EraVMPhase.Scheduled)).isFalse();
  }

  @Test
  void runPhasesEndForGood() {
    assertThat(EraRunPhase.Succeeded.isFinished()).isTrue();
    assertThat(EraRunPhase.Failed.isFinished()).isTrue();
    assertThat(EraRunPhase.TimedOut.isFinished()).isTrue();
    assertThat(EraRunPhase.Running.isFinished()).isFalse();
    assertThat(EraRunPhase.Pending.isFinished()).isFalse();
  }

  @Test
  void shouldRunNeedsPlacementAndNoExpiry() {
    EraVM vm = new EraVM();
    assertThat(vm.shouldRun()).isFalse();
    vm.getStatus().setCondition(ConditionTypes.SCHEDULED, true, Reasons.PLACED, "", T0);
    assertThat(vm.shouldRun()).isTrue();
    vm.getStatus().setCondition(ConditionTypes.READY, false, Reasons.INVALID, "bad", T0);
    assertThat(vm.shouldRun()).isFalse();
    vm.getStatus().removeCondition(ConditionTypes.READY);
    vm.getStatus().setCondition(ConditionTypes.EXPIRED, true, Reasons.IDLE_TIMEOUT, "", T0);
    assertThat(vm.shouldRun()).isFalse();
    vm.getStatus().removeCondition(ConditionTypes.EXPIRED);
    vm.getSpec().setRunning(false);
    assertThat(vm.shouldRun()).isFalse();
  }

  @Test
  void quantities() {
    assertThat(Quantities.bytes("256Mi")).contains(256L * Quantities.MIB);
    assertThat(Quantities.bytes("1G")).contains(1_000_000_000L);
    assertThat(Quantities.bytes("1.5Gi")).contains(1536L * Quantities.MIB);
    assertThat(Quantities.bytes("x")).isEmpty();
    assertThat(Quantities.format(256L * Quantities.MIB)).isEqualTo("256Mi");
    assertThat(Quantities.format(1000)).isEqualTo("1000");
  }
}
