package dev.era.cli.cluster;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMSpec;
import dev.era.api.EraVMStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.Optional;
import java.util.stream.Stream;

/** An EraVM as {@code era} shows it, in tables and as {@code -o json}. */
public record VmView(
    String name,
    String language,
    String phase,
    String node,
    int cpu,
    String memory,
    String network,
    String persist,
    boolean running,
    String createdAt,
    String bootedAt,
    String reason,
    String message) {

  public static VmView of(EraVM vm) {
    EraVMSpec spec = vm.getSpec();
    EraVMStatus status = vm.getStatus();
    return new VmView(
        vm.getMetadata().getName(),
        spec.getLanguage(),
        status.getPhase().name(),
        status.getNodeName(),
        spec.getCpu(),
        spec.getMemory(),
        spec.getNetwork(),
        spec.getPersist() == null ? null : spec.getPersist().getSize(),
        Boolean.TRUE.equals(spec.getRunning()),
        vm.getMetadata().getCreationTimestamp(),
        status.getBootedAt(),
        reason(status),
        message(status));
  }

  /** {@code hello: Provisioning (Booting: …)}: one progress line while waiting. */
  public String progressLine() {
    StringBuilder line = new StringBuilder(name).append(": ").append(phase);
    if (node != null && !"Pending".equals(phase)) {
      line.append(" on node ").append(node);
    }
    if (reason != null || message != null) {
      line.append(" (").append(describe()).append(')');
    }
    return line.toString();
  }

  /** {@code Reason: message}, or whichever of them is set. */
  public String describe() {
    if (reason != null && message != null) {
      return reason + ": " + message;
    }
    return reason != null ? reason : message == null ? "no reason given" : message;
  }

  /** The status's own reason, else that of the first condition that holds the VM back. */
  private static String reason(EraVMStatus status) {
    return status.getReason() != null
        ? status.getReason()
        : holdingBack(status).map(Condition::getReason).orElse(null);
  }

  private static String message(EraVMStatus status) {
    return status.getMessage() != null
        ? status.getMessage()
        : holdingBack(status).map(Condition::getMessage).orElse(null);
  }

  private static Optional<Condition> holdingBack(EraVMStatus status) {
    return Stream.of(ConditionTypes.SCHEDULED, ConditionTypes.READY)
        .flatMap(type -> status.condition(type).stream())
        .filter(c -> !ConditionTypes.TRUE.equals(c.getStatus()))
        .findFirst();
  }
}
