package dev.era.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.PersistSpec;
import dev.era.api.Reasons;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VmViewTest {
  private static EraVM vm() {
    EraVM vm = new EraVM();
    vm.setMetadata(new ObjectMetaBuilder().withName("box").build());
    return vm;
  }

  @Test
  void aPendingVmShowsWhatHoldsItBack() {
    EraVM vm = vm();
    vm.getStatus()
        .setCondition(
            ConditionTypes.SCHEDULED,
            false,
            Reasons.UNSCHEDULABLE,
            "no node has 4 free CPUs",
            Instant.now());

    assertThat(VmView.of(vm).progressLine())
        .isEqualTo("box: Pending (Unschedulable: no node has 4 free CPUs)");
  }

  @Test
  void aRunningVmShowsItsNodeAndSpec() {
    EraVM vm = vm();
    vm.getSpec().setPersist(new PersistSpec("1Gi"));
    vm.getStatus().setPhase(EraVMPhase.Running);
    vm.getStatus().setNodeName("n1");
    vm.getStatus()
        .setCondition(ConditionTypes.SCHEDULED, true, Reasons.PLACED, "placed", Instant.now());

    VmView view = VmView.of(vm);

    assertThat(view.progressLine()).isEqualTo("box: Running on node n1");
    assertThat(view.persist()).isEqualTo("1Gi");
    assertThat(view.language()).isEqualTo("python");
    assertThat(view.running()).isTrue();
  }

  @Test
  void theStatusReasonComesFirst() {
    EraVM vm = vm();
    vm.getStatus().setPhase(EraVMPhase.Failed);
    vm.getStatus().setReason(Reasons.BOOT_FAILED);
    vm.getStatus().setMessage("QEMU exited with status 1");

    assertThat(VmView.of(vm).describe()).isEqualTo("BootFailed: QEMU exited with status 1");
  }
}
