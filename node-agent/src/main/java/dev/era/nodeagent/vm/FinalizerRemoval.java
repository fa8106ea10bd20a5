package dev.era.nodeagent.vm;

import dev.era.api.EraVM;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;

/**
 * Removes one finalizer with a JSON patch that first tests the entry it removes, so that another
 * controller's change in between is never lost; when the test fails (the list moved) it reads again
 * and retries. A patch, not an update: the node agent's RBAC grants {@code patch} on EraVMs.
 */
final class FinalizerRemoval {
  static final int ATTEMPTS = 10;

  /** kube-apiserver answers a failed JSON patch {@code test} with 422. */
  private static final int TEST_FAILED = 422;

  private FinalizerRemoval() {}

  static void remove(KubernetesClient client, EraVM vm, String finalizer) {
    EraVM current = vm;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (current == null || !current.hasFinalizer(finalizer)) {
        return;
      }
      String path =
          "/metadata/finalizers/" + current.getMetadata().getFinalizers().indexOf(finalizer);
      List<Map<String, String>> patch =
          List.of(
              Map.of("op", "test", "path", path, "value", finalizer),
              Map.of("op", "remove", "path", path));
      try {
        client
            .resource(current)
            .patch(
                PatchContext.of(PatchType.JSON), client.getKubernetesSerialization().asJson(patch));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return;
        }
        if (e.getCode() != TEST_FAILED && e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        current = client.resource(vm).get();
      }
    }
    throw new KubernetesClientException(
        "could not remove finalizer "
            + finalizer
            + " from EraVM "
            + vm.getMetadata().getName()
            + ": it kept changing ("
            + ATTEMPTS
            + " attempts)");
  }
}
