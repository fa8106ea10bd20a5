package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.api.TtlAction;
import dev.era.api.TtlSpec;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a VM's TTLs say at one instant. The absolute TTL counts from creation. The idle TTL counts
 * only while the VM is Running, from its last boot or last run, whichever is later; once it has
 * stopped a VM it stays expired until the user sets spec.running to false (then true to start it
 * again), so a stopped idle VM does not restart by itself.
 *
 * @param expiredReason {@link Reasons#IDLE_TIMEOUT} or {@link Reasons#ABSOLUTE_TIMEOUT}; empty
 *     while no TTL has expired
 * @param nextCheck when a TTL expires next, if one is counting
 */
public record TtlVerdict(
    Optional<String> expiredReason, boolean delete, String message, Optional<Instant> nextCheck) {

  private static final TtlVerdict NONE =
      new TtlVerdict(Optional.empty(), false, "", Optional.empty());

  /** Call only on a validated spec. */
  public static TtlVerdict of(EraVM vm, Instant now) {
    TtlSpec ttl = vm.getSpec().getTtl();
    if (ttl == null) {
      return NONE;
    }
    boolean delete = TtlAction.parse(ttl.getAction()).orElse(TtlAction.Stop) == TtlAction.Delete;
    Optional<Instant> absoluteAt = Optional.empty();
    if (ttl.getAbsoluteSeconds() != null) {
      Instant created = Times.parse(vm.getMetadata().getCreationTimestamp()).orElse(now);
      absoluteAt = Optional.of(created.plusSeconds(ttl.getAbsoluteSeconds()));
      if (!now.isBefore(absoluteAt.get())) {
        return expired(
            Reasons.ABSOLUTE_TIMEOUT,
            delete,
            "ttl.absoluteSeconds (" + ttl.getAbsoluteSeconds() + "s) passed since creation");
      }
    }
    Optional<Instant> idleAt = Optional.empty();
    if (ttl.getIdleSeconds() != null) {
      EraVMStatus status = vm.getStatus();
      boolean stillStoppedForIdle =
          status.isTrue(ConditionTypes.EXPIRED)
              && status
                  .condition(ConditionTypes.EXPIRED)
                  .map(c -> Reasons.IDLE_TIMEOUT.equals(c.getReason()))
                  .orElse(false)
              && Boolean.TRUE.equals(vm.getSpec().getRunning());
      String idleMessage = "no run for ttl.idleSeconds (" + ttl.getIdleSeconds() + "s)";
      if (stillStoppedForIdle) {
        return expired(Reasons.IDLE_TIMEOUT, delete, idleMessage);
      }
      if (status.getPhase() == EraVMPhase.Running) {
        Instant since =
            Stream.of(status.getBootedAt(), status.getLastRunAt())
                .map(Times::parse)
                .flatMap(Optional::stream)
                .max(Instant::compareTo)
                .orElse(now);
        idleAt = Optional.of(since.plusSeconds(ttl.getIdleSeconds()));
        if (!now.isBefore(idleAt.get())) {
          return expired(Reasons.IDLE_TIMEOUT, delete, idleMessage);
        }
      }
    }
    Optional<Instant> next =
        Stream.of(absoluteAt, idleAt).flatMap(Optional::stream).min(Instant::compareTo);
    return new TtlVerdict(Optional.empty(), false, "", next);
  }

  private static TtlVerdict expired(String reason, boolean delete, String message) {
    return new TtlVerdict(Optional.of(reason), delete, message, Optional.empty());
  }
}
