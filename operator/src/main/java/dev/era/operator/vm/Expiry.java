package dev.era.operator.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMStatus;
import dev.era.api.Reasons;
import dev.era.kube.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;

/**
 * Carries out a VM's {@link TtlVerdict}: a Delete TTL deletes the EraVM; a Stop TTL sets
 * Expired=True, which the node agent obeys by stopping the VM (controllers never write spec).
 */
final class Expiry {
  private final KubernetesClient client;
  private final EventRecorder events;

  Expiry(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  void delete(EraVM vm, TtlVerdict ttl) {
    events.normal(vm, Reasons.TTL_DELETED, "Deleted: " + ttl.message());
    client.resource(vm).delete();
  }

  /** Sets the Expired condition while a TTL has expired, and removes it otherwise. */
  void mark(EraVM vm, TtlVerdict ttl, Instant now) {
    EraVMStatus status = vm.getStatus();
    if (ttl.expiredReason().isPresent()) {
      String message = "Stopped: " + ttl.message();
      if (status.setCondition(
          ConditionTypes.EXPIRED, true, ttl.expiredReason().get(), message, now)) {
        events.normal(vm, ttl.expiredReason().get(), message);
      }
    } else {
      status.removeCondition(ConditionTypes.EXPIRED);
    }
  }
}
