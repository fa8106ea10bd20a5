package dev.era.nodeagent.vm;

import dev.era.api.EraVM;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;

/**
 * Turns a VM's exit (its launcher handle's onExit) into a reconcile of its EraVM, so that a VM that
 * dies is reported at once, without polling.
 */
final class VmExitSource extends AbstractEventSource<Void, EraVM> {
  VmExitSource() {
    super(Void.class, "vm-exits");
  }

  /** Before the controller starts there is nobody to tell; its first reconcile sees the dead VM. */
  void fire(ResourceID vm) {
    if (isRunning()) {
      getEventHandler().handleEvent(new Event(vm));
    }
  }

  @Override
  public Set<Void> getSecondaryResources(EraVM primary) {
    return Set.of();
  }
}
