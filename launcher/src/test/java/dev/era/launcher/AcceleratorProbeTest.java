package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.launcher.host.KvmDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceleratorProbeTest {
  @TempDir Path dir;

  /** Counts test boots; answers with a fixed outcome. */
  private static final class FakeBoot implements AcceleratorProbe.TestBoot {
    final AtomicInteger boots = new AtomicInteger();
    final String key;
    final Optional<String> outcome;

    FakeBoot(String key, Optional<String> outcome) {
      this.key = key;
      this.outcome = outcome;
    }

    @Override
    public String cacheKey() {
      return key;
    }

    @Override
    public Optional<String> boot(Duration deadline) {
      boots.incrementAndGet();
      return outcome;
    }
  }

  private AcceleratorProbe probe(
      Optional<QemuAccelerator> override, boolean devicePasses, boolean pvm, FakeBoot boot)
      throws Exception {
    Path pvmModule = dir.resolve("kvm_pvm");
    if (pvm) {
      Files.createDirectories(pvmModule);
    }
    return new AcceleratorProbe(
        override,
        Path.of("/dev/kvm"),
        pvmModule,
        dir.resolve("cache/accelerator-probe.json"),
        device -> devicePasses ? Optional.empty() : Optional.of(device + " does not exist"),
        boot);
  }

  /**
   * A probe of a faked host: the real device check against {@code device}, the PVM module present
   * or not.
   */
  private AcceleratorProbe onHost(Path device, boolean pvm, FakeBoot boot) throws Exception {
    Path pvmModule = dir.resolve("sys/module/kvm_pvm");
    if (pvm) {
      Files.createDirectories(pvmModule);
    }
    return new AcceleratorProbe(
        Optional.empty(),
        device,
        pvmModule,
        dir.resolve("cache/accelerator-probe.json"),
        KvmDevice::whyUnusable,
        boot);
  }

  @Test
  void aHostWithoutADeviceUsesTcgWhetherOrNotThePvmModuleIsLoaded() throws Exception {
    FakeBoot boot = new FakeBoot("k", Optional.empty());
    Path device = dir.resolve("dev/kvm");

    for (boolean pvm : new boolean[] {false, true}) {
      AcceleratorProbe.Result result = onHost(device, pvm, boot).probe();

      assertThat(result.accelerator()).isEqualTo(QemuAccelerator.TCG);
      assertThat(result.reason())
          .startsWith(device + " does not exist")
          .endsWith("using TCG (software emulation: slower, same isolation boundary)");
    }
    assertThat(boot.boots).hasValue(0);
  }

  @Test
  void aDeviceThatIsNotKvmMeansTcg() throws Exception {
    Path device = Files.createFile(dir.resolve("kvm"));
    FakeBoot boot = new FakeBoot("k", Optional.empty());

    AcceleratorProbe.Result result = onHost(device, false, boot).probe();

    assertThat(result.accelerator()).isEqualTo(QemuAccelerator.TCG);
    assertThat(result.reason()).contains(device + " refused a KVM ioctl");
    assertThat(boot.boots).hasValue(0);
  }

  /** An override wins without any check, even against a host that would choose otherwise. */
  @ParameterizedTest(name = "{0} forced, device usable: {1}, PVM: {2}")
  @CsvSource({
    "KVM, false, true, would fail, forced by ERA_ACCEL=kvm",
    "TCG, true, false, , forced by ERA_ACCEL=tcg",
  })
  void anOverrideIsTakenAsIs(
      QemuAccelerator forced, boolean devicePasses, boolean pvm, String bootFailure, String reason)
      throws Exception {
    FakeBoot boot = new FakeBoot("k", Optional.ofNullable(bootFailure));

    AcceleratorProbe.Result result = probe(Optional.of(forced), devicePasses, pvm, boot).probe();

    assertThat(result).isEqualTo(new AcceleratorProbe.Result(forced, reason));
    assertThat(boot.boots).hasValue(0);
  }

  @Test
  void fallsBackToTcgWhenTheDeviceIsUnusable() throws Exception {
    AcceleratorProbe.Result result =
        probe(Optional.empty(), false, false, new FakeBoot("k", Optional.empty())).probe();

    assertThat(result.accelerator()).isEqualTo(QemuAccelerator.TCG);
    assertThat(result.reason()).startsWith("/dev/kvm does not exist").contains("using TCG");
  }

  @Test
  void fallsBackToTcgOnPvmWithoutATestBoot() throws Exception {
    FakeBoot boot = new FakeBoot("k", Optional.empty());

    AcceleratorProbe.Result result = probe(Optional.empty(), true, true, boot).probe();

    assertThat(result.accelerator()).isEqualTo(QemuAccelerator.TCG);
    assertThat(result.reason()).contains("is PVM").contains("cannot run a standard guest kernel");
    assertThat(boot.boots).hasValue(0);
  }

  @Test
  void choosesKvmAfterASuccessfulTestBootAndCachesIt() throws Exception {
    FakeBoot boot = new FakeBoot("6.1 | qemu 7.2 | image a", Optional.empty());

    AcceleratorProbe.Result first = probe(Optional.empty(), true, false, boot).probe();
    AcceleratorProbe.Result second = probe(Optional.empty(), true, false, boot).probe();

    assertThat(first.accelerator()).isEqualTo(QemuAccelerator.KVM);
    assertThat(second).isEqualTo(first);
    assertThat(boot.boots).as("the test boot runs once per host").hasValue(1);
  }

  @Test
  void fallsBackToTcgWhenTheTestBootFailsAndProbesAgainForANewKey() throws Exception {
    FakeBoot failing = new FakeBoot("image a", Optional.of("no HELLO within 5 s"));
    FakeBoot afterUpgrade = new FakeBoot("image b", Optional.empty());

    AcceleratorProbe.Result failed = probe(Optional.empty(), true, false, failing).probe();
    AcceleratorProbe.Result upgraded = probe(Optional.empty(), true, false, afterUpgrade).probe();

    assertThat(failed.accelerator()).isEqualTo(QemuAccelerator.TCG);
    assertThat(failed.reason()).contains("a test boot under KVM failed: no HELLO within 5 s");
    assertThat(upgraded.accelerator()).isEqualTo(QemuAccelerator.KVM);
    assertThat(afterUpgrade.boots).hasValue(1);
  }
}
