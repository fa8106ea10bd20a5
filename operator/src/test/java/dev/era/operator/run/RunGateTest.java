package dev.era.operator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Reasons;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunGateTest {
  private static EraVM vm(EraVMPhase phase) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName("box");
    vm.getStatus().setPhase(phase);
    vm.getStatus().setNodeName("n");
    return vm;
  }

  @Test
  void aRunningVmTakesTheRun() {
    assertThat(RunGate.of(vm(EraVMPhase.Running))).isEqualTo(new RunGate.Dispatch("n"));
  }

  @Test
  void aBootingOrRestartingVmMakesItWait() {
    assertThat(RunGate.of(vm(EraVMPhase.Provisioning))).isInstanceOf(RunGate.Wait.class);
    assertThat(RunGate.of(vm(EraVMPhase.Pending))).isInstanceOf(RunGate.Wait.class);
    // Stopped but meant to run: the agent is about to start it again.
    assertThat(RunGate.of(vm(EraVMPhase.Stopped))).isInstanceOf(RunGate.Wait.class);
  }

  @Test
  void stoppedExpiredOrFailedVmsFailTheRun() {
    EraVM stopped = vm(EraVMPhase.Running);
    stopped.getSpec().setRunning(false);
    assertThat(RunGate.of(stopped))
        .isEqualTo(
            new RunGate.Fail(Reasons.VM_STOPPED, "EraVM box is stopped (spec.running is false)"));
    EraVM expired = vm(EraVMPhase.Stopped);
    expired
        .getStatus()
        .setCondition(ConditionTypes.EXPIRED, true, Reasons.IDLE_TIMEOUT, "", Instant.now());
    assertThat(RunGate.of(expired)).isInstanceOf(RunGate.Fail.class);
    EraVM failed = vm(EraVMPhase.Failed);
    failed.getStatus().setMessage("VM died");
    assertThat(RunGate.of(failed))
        .isEqualTo(new RunGate.Fail(Reasons.VM_FAILED, "EraVM box has failed: VM died"));
  }
}
