package dev.era.nodeagent.vm;

import dev.era.api.EraPool;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Keeps this node's warm guests as the EraPools ask ({@link WarmGuests#keep}); a deleted pool's
 * ready guests are stopped. It writes nothing: the EraNode report carries the ready counts.
 *
 * <p>Reconciles run on every event: the operator's shares are status, and a deletion must stop the
 * guests without a finalizer.
 */
@ControllerConfiguration(
    name = WarmPoolReconciler.NAME,
    generationAwareEventProcessing = false,
    triggerReconcilerOnAllEvents = true)
public final class WarmPoolReconciler implements Reconciler<EraPool> {
  public static final String NAME = "era-node-agent-pool";

  private final WarmGuests guests;

  public WarmPoolReconciler(WarmGuests guests) {
    this.guests = guests;
  }

  @Override
  public UpdateControl<EraPool> reconcile(EraPool pool, Context<EraPool> context) {
    if (context.isPrimaryResourceDeleted() || pool.isMarkedForDeletion()) {
      guests.release(WarmGuests.PoolKey.of(pool));
    } else {
      guests.keep(pool);
    }
    return UpdateControl.noUpdate();
  }
}
