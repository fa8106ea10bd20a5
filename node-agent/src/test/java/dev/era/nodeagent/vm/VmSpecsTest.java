package dev.era.nodeagent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.EraVM;
import dev.era.api.PersistSpec;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.GuestNetwork;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.VmSpec;
import dev.era.launcher.qemu.SpecValidator;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmSpecsTest {
  @Test
  void mapsAnEraVmToWhatTheLauncherBoots() {
    EraVM vm = vm("uid-1");
    vm.getSpec().setLanguage("node");
    vm.getSpec().setCpu(2);
    vm.getSpec().setMemory("1Gi");
    vm.getSpec().setNetwork("full");
    vm.getSpec().setPersist(new PersistSpec("100M"));

    VmSpec spec = VmSpecs.of(vm);

    assertThat(spec)
        .isEqualTo(
            new VmSpec("ns.vm-f11034f0bd58", GuestLanguage.NODE, 2, 1024, GuestNetwork.FULL, 96));
  }

  @Test
  void defaultsBootASmallPythonVmWithoutNetworkOrDisk() {
    assertThat(VmSpecs.of(vm("uid-2")))
        .isEqualTo(
            new VmSpec("ns.vm-f11034f0bd58", GuestLanguage.PYTHON, 1, 256, GuestNetwork.NONE, 0));
  }

  @Test
  void theVmIdComesFromNamespaceAndNameSoThatANewEraVmOfThatNameFindsAKeptDisk() {
    EraVM recreated = vm("another-uid");

    assertThat(VmSpecs.vmId(recreated)).isEqualTo(VmSpecs.vmId(vm("uid-1")));
    assertThat(VmSpecs.vmId(named("ns", "vm2"))).isNotEqualTo(VmSpecs.vmId(recreated));
    assertThat(VmSpecs.vmId(named("ns2", "vm"))).isNotEqualTo(VmSpecs.vmId(recreated));
    // Not a readable prefix alone: "a.b" + "c" and "a" + "b.c" would meet.
    assertThat(VmSpecs.vmId(named("a", "b.c"))).isNotEqualTo(VmSpecs.vmId(named("a.b", "c")));
  }

  @Test
  void longNamesGiveShortIdsTheLauncherAccepts() {
    String longest = VmSpecs.vmId(named("n".repeat(63), "v".repeat(253)));
    // The readable prefix is cut at 23 characters, and loses a '.' or '-' it then ends with.
    EraVM cutAtTheDot = named("sandboxes-for-agents-1", "python-7f3k2");

    assertThat(longest).hasSize(VmSpecs.MAX_ID_LENGTH).startsWith("n".repeat(23) + "-");
    assertThat(SpecValidator.isValidId(longest)).isTrue();
    assertThat(VmSpecs.vmId(cutAtTheDot)).isEqualTo("sandboxes-for-agents-1-77951101815f");
  }

  @Test
  void anEgressVmGetsItsAllowList() {
    EraVM vm = vm("uid-3");
    vm.getSpec().setNetwork("egress");
    vm.getSpec().setEgressAllow(List.of("pypi.org:443", "*.pythonhosted.org"));

    assertThat(VmSpecs.of(vm).network()).isEqualTo(GuestNetwork.EGRESS);
    assertThat(VmSpecs.of(vm).egressAllow()).containsExactly("pypi.org:443", "*.pythonhosted.org");
  }

  @Test
  void aSpecTheLauncherCannotReadIsAnInvalidSpec() {
    EraVM badMemory = vm("uid-4");
    badMemory.getSpec().setMemory("lots");
    EraVM badLanguage = vm("uid-5");
    badLanguage.getSpec().setLanguage("cobol");

    assertThatThrownBy(() -> VmSpecs.of(badMemory))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("memory 'lots'");
    assertThatThrownBy(() -> VmSpecs.of(badLanguage))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("cobol");
  }

  private static EraVM vm(String uid) {
    EraVM vm = named("ns", "vm");
    vm.getMetadata().setUid(uid);
    return vm;
  }

  private static EraVM named(String namespace, String name) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace(namespace);
    return vm;
  }
}
