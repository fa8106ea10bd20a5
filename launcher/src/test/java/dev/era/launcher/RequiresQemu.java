package dev.era.launcher;

import dev.era.launcher.host.KvmDevice;
import dev.era.launcher.qemu.QemuBinary;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that boots real guests. QEMU is installed by scripts/install-deps.sh, part of
 * the README's test command, so a missing QEMU fails the class (with the package to install)
 * instead of skipping it. A forced {@code ERA_ACCEL=kvm} on a host whose /dev/kvm cannot run guests
 * is what this machine really lacks: those classes are skipped, with the reason, test by test.
 * Shared with the other modules' integration tests through the launcher's test jar.
 */
public final class RequiresQemu implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String qemu =
        QemuBinary.qemu().toString(); // throws, failing the class, with the package to install
    if (LauncherConfig.parseAccelerator(System.getenv("ERA_ACCEL")).orElse(null)
        == QemuAccelerator.KVM) {
      Optional<String> unusable = KvmDevice.whyUnusable(Path.of("/dev/kvm"));
      if (unusable.isPresent()) {
        return ConditionEvaluationResult.disabled(
            "ERA_ACCEL=kvm forces KVM, but " + unusable.get());
      }
    }
    return ConditionEvaluationResult.enabled("QEMU at " + qemu);
  }
}
