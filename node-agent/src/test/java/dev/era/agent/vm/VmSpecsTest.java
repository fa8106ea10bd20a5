package dev.era.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.EraVM;
import dev.era.api.PersistSpec;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.Language;
import dev.era.launcher.NetworkMode;
import dev.era.launcher.VmSpec;
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

    assertThat(spec).isEqualTo(new VmSpec("uid-1", Language.NODE, 2, 1024, NetworkMode.FULL, 96));
  }

  @Test
  void defaultsBootASmallPythonVmWithoutNetworkOrDisk() {
    assertThat(VmSpecs.of(vm("uid-2")))
        .isEqualTo(new VmSpec("uid-2", Language.PYTHON, 1, 256, NetworkMode.NONE, 0));
  }

  @Test
  void anEgressVmGetsNoNetworkAtAll() {
    EraVM vm = vm("uid-3");
    vm.getSpec().setNetwork("egress");

    assertThat(VmSpecs.of(vm).network()).isEqualTo(NetworkMode.NONE);
    assertThat(VmSpecs.wantsEgress(vm)).isTrue();
  }

  @Test
  void aSpecTheLauncherCannotReadIsAnInvalidSpec() {
    EraVM badMemory = vm("uid-4");
    badMemory.getSpec().setMemory("lots");
    EraVM badLanguage = vm("uid-5");
    badLanguage.getSpec().setLanguage("cobol");

    assertThatThrownBy(() -> VmSpecs.of(badMemory)).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("memory 'lots'");
    assertThatThrownBy(() -> VmSpecs.of(badLanguage)).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("cobol");
  }

  private static EraVM vm(String uid) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName("vm");
    vm.getMetadata().setNamespace("ns");
    vm.getMetadata().setUid(uid);
    return vm;
  }
}
