package dev.era.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.Reasons;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ValidationTest {
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void anInvalidVmNotOnANodeFailsAndStartsOverOnceFixed() {
    EraVMStatus status = new EraVMStatus();
    assertThat(Validation.markInvalid(status, "spec.cpu: too many", T)).isTrue();
    assertThat(status.getPhase()).isEqualTo(EraVMPhase.Failed);
    assertThat(status.isFalseBecause(ConditionTypes.READY, Reasons.INVALID)).isTrue();
    assertThat(status.getMessage()).isEqualTo("spec.cpu: too many");
    // The same problem again is no news.
    assertThat(Validation.markInvalid(status, "spec.cpu: too many", T)).isFalse();

    Validation.clearInvalid(status);
    assertThat(status.getPhase()).isEqualTo(EraVMPhase.Pending);
    assertThat(status.condition(ConditionTypes.READY)).isEmpty();
    assertThat(status.getReason()).isNull();
    assertThat(status.getMessage()).isNull();
  }

  @Test
  void anInvalidVmOnANodeKeepsItsPhase() {
    EraVMStatus status = new EraVMStatus();
    status.setPhase(EraVMPhase.Running);
    Validation.markInvalid(status, "spec.nodeName: a placed VM cannot move", T);
    assertThat(status.getPhase()).isEqualTo(EraVMPhase.Running);
    Validation.clearInvalid(status);
    assertThat(status.getPhase()).isEqualTo(EraVMPhase.Running);
    assertThat(status.condition(ConditionTypes.READY)).isEmpty();
  }

  @Test
  void clearingLeavesAnotherFailureAlone() {
    EraVMStatus status = new EraVMStatus();
    status.setPhase(EraVMPhase.Failed);
    status.setReason(Reasons.NODE_LOST);
    status.setMessage("node n is lost");
    Validation.clearInvalid(status);
    assertThat(status.getPhase()).isEqualTo(EraVMPhase.Failed);
    assertThat(status.getReason()).isEqualTo(Reasons.NODE_LOST);
  }
}
