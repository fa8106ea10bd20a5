package dev.era.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of an EraRun. The operator owns Pending and Failed before dispatch (invalid spec, VM
 * missing, stopped or failed); the node agent owns Running and every end after it, except Failed
 * with reason NodeLost, which the operator writes when the run's node is lost and no agent will.
 */
public enum EraRunPhase {
  Pending,
  Running,
  Succeeded,
  Failed,
  TimedOut;

  public boolean isFinished() {
    return this == Succeeded || this == Failed || this == TimedOut;
  }

  public boolean canTransitionTo(EraRunPhase next) {
    return next == this || successors().contains(next);
  }

  private Set<EraRunPhase> successors() {
    return switch (this) {
      case Pending -> EnumSet.of(Running, Failed);
      case Running -> EnumSet.of(Succeeded, Failed, TimedOut);
      case Succeeded, Failed, TimedOut -> EnumSet.noneOf(EraRunPhase.class);
    };
  }
}
