package dev.era.agent.vm;

import dev.era.api.EraVM;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes one finalizer with an update guarded by the resourceVersion, so that another
 * controller's change in between is never lost; on a conflict it reads again and retries.
 */
final class FinalizerRemoval {
  static final int ATTEMPTS = 10;

  private FinalizerRemoval() {}

  static void remove(KubernetesClient client, EraVM vm, String finalizer) {
    EraVM current = client.getKubernetesSerialization().clone(vm);
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (current == null || !current.hasFinalizer(finalizer)) {
        return;
      }
      List<String> remaining = new ArrayList<>(current.getMetadata().getFinalizers());
      remaining.remove(finalizer);
      current.getMetadata().setFinalizers(remaining);
      try {
        client.resource(current).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return;
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        current = client.resource(vm).get();
      }
    }
    throw new KubernetesClientException("could not remove finalizer " + finalizer + " from EraVM "
        + vm.getMetadata().getName() + ": it kept changing (" + ATTEMPTS + " conflicts)");
  }
}
