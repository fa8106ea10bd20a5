package dev.era.operator.vm;

import dev.era.api.EraVM;
import dev.era.operator.placement.CapacityLedger;
import dev.era.operator.placement.Resources;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Wakes the VMs waiting for room when a VM frees capacity: it stops holding any, holds less, or is
 * deleted. JOSDK hands this source every change of an EraVM that its informer reports, after its
 * cache holds the change, so a woken VM reckons with the room freed. Changes this controller writes
 * itself are not reported (JOSDK filters their echo); the reconcile that writes one wakes the
 * waiting VMs through {@link #wakeWaiting} once the {@link CapacityLedger} has taken note of it.
 */
final class CapacityFreed extends SimpleInboundEventSource<EraVM>
    implements ResourceEventAware<EraVM> {
  static final String NAME = "capacity-freed";

  private final Supplier<Set<ResourceID>> waiting;

  /**
   * @param waiting the VMs not placed, or placed but unable to start again
   */
  CapacityFreed(Supplier<Set<ResourceID>> waiting) {
    super(NAME);
    this.waiting = waiting;
  }

  @Override
  public void onResourceUpdated(EraVM updated, EraVM old) {
    if (freesCapacity(old, updated)) {
      wakeWaiting();
    }
  }

  @Override
  public void onResourceDeleted(EraVM vm) {
    if (CapacityLedger.holdsCapacity(vm)) {
      wakeWaiting();
    }
  }

  void wakeWaiting() {
    waiting.get().forEach(this::propagateEvent);
  }

  /** A VM that stops holding capacity, or holds less, makes room for waiting ones. */
  static boolean freesCapacity(EraVM old, EraVM updated) {
    if (!CapacityLedger.holdsCapacity(old)) {
      return false;
    }
    return !CapacityLedger.holdsCapacity(updated)
        || !Resources.of(old.getSpec()).equals(Resources.of(updated.getSpec()));
  }
}
