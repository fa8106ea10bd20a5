package dev.era.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.era.api.EraPool;
import dev.era.api.EraPoolValidator;
import dev.era.api.EraRun;
import dev.era.api.EraRunValidator;
import dev.era.api.EraVM;
import dev.era.api.EraVMValidator;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The manifests in examples/ are valid ERA resources that belong together. */
class ExamplesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static <T> T example(String file, Class<T> type) throws IOException {
    return YAML.readValue(CliRunner.REPO_ROOT.resolve("examples").resolve(file).toFile(), type);
  }

  @Test
  void theVmManifestIsAValidEraVm() throws Exception {
    EraVM vm = example("eravm.yaml", EraVM.class);

    assertThat(EraVMValidator.validate(vm.getSpec())).isEmpty();
    assertThat(vm.getMetadata().getName()).isEqualTo("sandbox");
  }

  @Test
  void theRunManifestIsAValidEraRunInThatVm() throws Exception {
    EraRun run = example("erarun.yaml", EraRun.class);

    assertThat(EraRunValidator.validate(run.getSpec())).isEmpty();
    assertThat(run.getSpec().getVmName()).isEqualTo("sandbox");
  }

  @Test
  void thePoolVmManifestBindsToTheValidPoolManifest() throws Exception {
    EraPool pool = example("erapool.yaml", EraPool.class);
    EraVM vm = example("erapool-vm.yaml", EraVM.class);

    assertThat(EraPoolValidator.validate(pool.getSpec())).isEmpty();
    assertThat(EraVMValidator.validate(vm.getSpec())).isEmpty();
    assertThat(vm.getSpec().getPool()).isEqualTo(pool.getMetadata().getName());
    assertThat(EraVMValidator.validateBinding(vm.getSpec(), pool)).isEmpty();
  }
}
