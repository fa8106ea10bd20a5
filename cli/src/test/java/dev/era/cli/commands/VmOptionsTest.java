package dev.era.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.EraVM;
import dev.era.api.EraVMSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VmOptionsTest {
  @Test
  void flagsBecomeTheEraVmSpec() {
    VmOptions options =
        CommandLine.populateCommand(
            new VmOptions(),
            "--language",
            "node",
            "--cpu",
            "2",
            "--mem",
            "1Gi",
            "--network",
            "full",
            "--persist",
            "512");

    EraVM vm = options.toVm("box");

    EraVMSpec spec = vm.getSpec();
    assertThat(vm.getMetadata().getName()).isEqualTo("box");
    assertThat(spec.getLanguage()).isEqualTo("node");
    assertThat(spec.getCpu()).isEqualTo(2);
    assertThat(spec.getMemory()).isEqualTo("1Gi");
    assertThat(spec.getNetwork()).isEqualTo("full");
    assertThat(spec.getPersist().getSize()).isEqualTo("512Mi");
    assertThat(spec.getRunning()).isTrue();
  }

  @Test
  void defaultsAreTheSchemaDefaultsAndNoDisk() {
    VmOptions options = CommandLine.populateCommand(new VmOptions(), "--language", "python");

    EraVMSpec spec = options.toVm("box").getSpec();

    assertThat(spec.getCpu()).isEqualTo(EraVMSpec.MIN_CPU);
    assertThat(spec.getMemory()).isEqualTo(EraVMSpec.DEFAULT_MEMORY);
    assertThat(spec.getNetwork()).isEqualTo(EraVMSpec.DEFAULT_NETWORK);
    assertThat(spec.getPersist()).isNull();
  }
}
