package dev.era.launcher;

import dev.era.launcher.qemu.QemuBinary;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class that boots real guests where QEMU is not installed. Unlike an assumption in
 * {@code @BeforeAll}, a disabled class is reported as skipped, with this reason, test by test.
 * Shared with the other modules' integration tests through the launcher's test jar.
 */
public final class RequiresQemu implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        try {
            return ConditionEvaluationResult.enabled("QEMU at " + QemuBinary.qemu());
        } catch (LaunchException e) {
            return ConditionEvaluationResult.disabled("needs QEMU to boot real guests: " + e.getMessage());
        }
    }
}
