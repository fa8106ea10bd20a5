package dev.era.launcher;

import dev.era.launcher.host.KvmDevice;
import dev.era.launcher.qemu.StateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Decides between KVM and TCG. KVM is chosen only when /dev/kvm answers the KVM ioctls, is not PVM
 * (which cannot run a standard guest kernel), and a test boot under KVM reached the guest agent.
 * The test boot's outcome is cached in a file, keyed by what it depends on, so it runs once per
 * host.
 */
public final class AcceleratorProbe {
  private static final Logger LOG = Logger.getLogger(AcceleratorProbe.class);
  static final Duration TEST_BOOT_DEADLINE = Duration.ofSeconds(5);

  /**
   * The choice and why it was made, e.g. for a node's {@code Accelerated} condition.
   *
   * @param accelerator what VMs on this host use
   * @param reason a sentence a user can read
   */
  public record Result(QemuAccelerator accelerator, String reason) {}

  /** A one-time boot of a real guest under KVM. */
  public interface TestBoot {
    /** Names everything the outcome depends on (kernel release, QEMU version, guest image). */
    String cacheKey();

    /**
     * Boots a guest under KVM; empty when its agent answered within the deadline, otherwise why
     * not.
     */
    Optional<String> boot(Duration deadline);
  }

  private record Cached(String key, QemuAccelerator accelerator, String reason) {}

  private final Optional<QemuAccelerator> override;
  private final Path kvmDevice;
  private final Path pvmModule;
  private final Path cacheFile;
  private final Function<Path, Optional<String>> deviceCheck;
  private final TestBoot testBoot;

  /**
   * @param override a forced choice (ERA_ACCEL), skipping every check
   * @param cacheFile where the test boot's outcome is kept
   */
  public AcceleratorProbe(Optional<QemuAccelerator> override, Path cacheFile, TestBoot testBoot) {
    this(
        override,
        Path.of("/dev/kvm"),
        Path.of("/sys/module/kvm_pvm"),
        cacheFile,
        KvmDevice::whyUnusable,
        testBoot);
  }

  AcceleratorProbe(
      Optional<QemuAccelerator> override,
      Path kvmDevice,
      Path pvmModule,
      Path cacheFile,
      Function<Path, Optional<String>> deviceCheck,
      TestBoot testBoot) {
    this.override = override;
    this.kvmDevice = kvmDevice;
    this.pvmModule = pvmModule;
    this.cacheFile = cacheFile;
    this.deviceCheck = deviceCheck;
    this.testBoot = testBoot;
  }

  public Result probe() {
    if (override.isPresent()) {
      return new Result(
          override.get(), "forced by ERA_ACCEL=" + override.get().name().toLowerCase(Locale.ROOT));
    }
    Optional<String> unusable = deviceCheck.apply(kvmDevice);
    if (unusable.isPresent()) {
      return tcg(unusable.get());
    }
    if (Files.exists(pvmModule)) {
      return tcg(
          kvmDevice + " is PVM (" + pvmModule + " exists): it cannot run a standard guest kernel");
    }
    String key = testBoot.cacheKey();
    Optional<Cached> cached =
        StateFiles.read(cacheFile, Cached.class).filter(c -> c.key().equals(key));
    if (cached.isPresent()) {
      return new Result(cached.get().accelerator(), cached.get().reason());
    }
    Optional<String> failure = testBoot.boot(TEST_BOOT_DEADLINE);
    Result result =
        failure.isEmpty()
            ? new Result(
                QemuAccelerator.KVM,
                "a test boot under KVM reached the guest agent within "
                    + TEST_BOOT_DEADLINE.toSeconds()
                    + " s")
            : tcg("a test boot under KVM failed: " + failure.get());
    try {
      Files.createDirectories(cacheFile.getParent());
      StateFiles.write(cacheFile, new Cached(key, result.accelerator(), result.reason()));
    } catch (IOException | LaunchException e) {
      LOG.warnf(
          "cannot cache the accelerator probe in %s (it will run again): %s",
          cacheFile, e.getMessage());
    }
    return result;
  }

  private static Result tcg(String why) {
    return new Result(
        QemuAccelerator.TCG,
        why + "; using TCG (software emulation: slower, same isolation boundary)");
  }
}
