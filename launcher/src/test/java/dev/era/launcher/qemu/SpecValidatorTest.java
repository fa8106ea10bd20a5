package dev.era.launcher.qemu;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.VmSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {
  private static final SpecValidator.HostLimits HOST =
      new SpecValidator.HostLimits(2, 4096, 10_000);
  private static final VmSpec OK = VmSpec.of("py-1", GuestLanguage.PYTHON);

  private static void validate(VmSpec spec) {
    SpecValidator.validate(spec, HOST, false);
  }

  @Test
  void acceptsASpecTheHostCanRun() {
    assertThatCode(() -> validate(OK.withVcpus(2).withMemoryMib(4096).withPersistMib(1024)))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-a", "a-", "a/b", "..", "a b", "ü", "a_b"})
  void rejectsIdsThatCannotNameADirectory(String id) {
    assertThatThrownBy(
            () -> validate(new VmSpec(id, GuestLanguage.PYTHON, 1, 256, OK.network(), 0)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("VM id '" + id + "' is invalid");
  }

  @Test
  void acceptsIdsUpTo64Characters() {
    assertThatCode(() -> SpecValidator.validateId("a".repeat(64))).doesNotThrowAnyException();
    assertThatThrownBy(() -> SpecValidator.validateId("a".repeat(65)))
        .isInstanceOf(InvalidSpecException.class);
    assertThatCode(() -> SpecValidator.validateId("team.py-1")).doesNotThrowAnyException();
  }

  @Test
  void rejectsMoreVcpusThanHostCores() {
    assertThatThrownBy(() -> validate(OK.withVcpus(3)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage("vcpus 3 is more than the 2 a guest may have on this host: ask for at most 2");
    assertThatThrownBy(() -> validate(OK.withVcpus(0))).hasMessageContaining("at least 1");
  }

  @Test
  void rejectsMemoryBelowTheMinimumOrAboveWhatIsAvailable() {
    assertThatThrownBy(() -> validate(OK.withMemoryMib(64)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("below the minimum of 128 MiB");
    assertThatThrownBy(() -> validate(OK.withMemoryMib(4097)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("more than this host has available (4096 MiB)");
  }

  @Test
  void rejectsPersistentDisksOfSillySizes() {
    assertThatThrownBy(() -> validate(OK.withPersistMib(-1)))
        .hasMessageContaining("0 (none) or positive");
    assertThatThrownBy(() -> validate(OK.withPersistMib(8)))
        .hasMessageContaining("at least 32 MiB");
    assertThatThrownBy(() -> validate(OK.withPersistMib(20_000)))
        .hasMessageContaining("10000 MiB free");
  }

  @Test
  void doesNotResizeAnExistingDiskSoItsSizeIsNotChecked() {
    assertThatCode(() -> SpecValidator.validate(OK.withPersistMib(20_000), HOST, true))
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsSocketPathsLongerThanUnixAllows() {
    VmPaths deep = VmPaths.of(Path.of("/" + "d".repeat(80)), "a".repeat(20));

    assertThatThrownBy(deep::checkSocketPathLength)
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("more than the 107 a Unix socket allows");
    assertThatCode(
            () -> VmPaths.of(Path.of("/var/lib/era"), "a".repeat(64)).checkSocketPathLength())
        .doesNotThrowAnyException();
  }
}
