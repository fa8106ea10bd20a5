package dev.era.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.EraVM;
import dev.era.api.EraVMSpec;
import dev.era.api.VmTemplate;
import dev.era.cli.CliException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VmOptionsTest {
  private static final Function<String, VmTemplate> NO_POOLS =
      pool -> {
        throw new AssertionError("no pool was asked for");
      };

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

    EraVM vm = options.toVm("box", NO_POOLS);

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

    EraVMSpec spec = options.toVm("box", NO_POOLS).getSpec();

    assertThat(spec.getCpu()).isEqualTo(EraVMSpec.MIN_CPU);
    assertThat(spec.getMemory()).isEqualTo(EraVMSpec.DEFAULT_MEMORY);
    assertThat(spec.getNetwork()).isEqualTo(EraVMSpec.DEFAULT_NETWORK);
    assertThat(spec.getPersist()).isNull();
  }

  @Test
  void aPoolVmTakesThePoolsTemplateWhateverTheFlags() {
    VmOptions options =
        CommandLine.populateCommand(new VmOptions(), "--pool", "warm", "--cpu", "4");
    VmTemplate template = new VmTemplate();
    template.setLanguage("node");
    template.setCpu(2);
    template.setMemory("512Mi");
    template.setNetwork("full");

    EraVMSpec spec = options.toVm("box", pool -> pool.equals("warm") ? template : null).getSpec();

    assertThat(spec.getPool()).isEqualTo("warm");
    assertThat(spec.sameGuestAs(template)).isTrue();
    assertThat(spec.getLanguage()).isEqualTo("node");
    assertThat(spec.getCpu()).isEqualTo(2);
  }

  @Test
  void withoutAPoolALanguageIsRequired() {
    VmOptions options = CommandLine.populateCommand(new VmOptions(), "--cpu", "2");

    assertThatThrownBy(() -> options.toVm("box", NO_POOLS))
        .isInstanceOf(CliException.class)
        .hasMessage("missing --language");
  }
}
