package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.EraVMValidator;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The first step of a reconcile: checks the spec with every rule of {@link EraVMValidator}, and a
 * VM not yet placed against the pool it names. An invalid VM is marked so (Ready=False/Invalid) and
 * goes no further; a fixed one starts over (also when its missing pool appears).
 */
final class Validation {
  private final EventRecorder events;
  private final Function<EraVM, Optional<EraPool>> poolOf;

  /**
   * @param poolOf the EraPool the VM names, from the controller's cache
   */
  Validation(EventRecorder events, Function<EraVM, Optional<EraPool>> poolOf) {
    this.events = events;
    this.poolOf = poolOf;
  }

  /**
   * @param placedOn the node the VM is placed on, if it is (a placed VM may not move)
   * @return whether the spec is valid; false when the VM has been marked invalid
   */
  boolean passes(EraVM vm, Optional<String> placedOn, Instant now) {
    List<String> problems = EraVMValidator.validate(vm.getSpec(), placedOn.orElse(null));
    String pool = vm.getSpec().getPool();
    if (problems.isEmpty() && placedOn.isEmpty() && pool != null) {
      problems =
          poolOf
              .apply(vm)
              .map(p -> EraVMValidator.validateBinding(vm.getSpec(), p))
              .orElse(
                  List.of(
                      "spec.pool: EraPool "
                          + pool
                          + " does not exist in namespace "
                          + vm.getMetadata().getNamespace()));
    }
    if (problems.isEmpty()) {
      clearInvalid(vm.getStatus());
      return true;
    }
    String message = String.join("; ", problems);
    if (markInvalid(vm.getStatus(), message, now)) {
      events.warning(vm, Reasons.INVALID, message);
    }
    return false;
  }

  /**
   * Records why the spec is invalid; a VM not on a node fails, one on a node keeps its phase.
   *
   * @return whether the Ready condition changed (the news is worth an event)
   */
  static boolean markInvalid(EraVMStatus status, String message, Instant now) {
    boolean changed =
        status.setCondition(ConditionTypes.READY, false, Reasons.INVALID, message, now);
    if (!status.getPhase().isOnNode()) {
      status.setPhase(EraVMPhase.Failed);
    }
    status.setReason(Reasons.INVALID);
    status.setMessage(message);
    return changed;
  }

  /** A fixed spec: drop what {@link #markInvalid} wrote and start over from Pending. */
  static void clearInvalid(EraVMStatus status) {
    if (!Reasons.INVALID.equals(status.getReason())) {
      return;
    }
    if (status.isFalseBecause(ConditionTypes.READY, Reasons.INVALID)) {
      status.removeCondition(ConditionTypes.READY);
    }
    if (status.getPhase() == EraVMPhase.Failed) {
      status.setPhase(EraVMPhase.Pending);
    }
    status.setReason(null);
    status.setMessage(null);
  }
}
