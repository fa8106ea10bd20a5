package dev.era.agent;

import dev.era.launcher.LaunchException;
import dev.era.launcher.qemu.QemuBinary;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips a test class that boots real guests, saying why, where QEMU is not installed. */
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
