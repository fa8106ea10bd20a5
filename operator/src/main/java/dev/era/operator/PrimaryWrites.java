package dev.era.operator;

import dev.era.kube.ResourceWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * A controller's writer of its own resource: {@link ResourceWriter} sending through
 * java-operator-sdk's resource operations, so that the controller's cache holds what it wrote and
 * the write triggers no reconcile by itself.
 */
public final class PrimaryWrites {
  private PrimaryWrites() {}

  public static <R extends HasMetadata> ResourceWriter<R> writer(
      KubernetesClient client, Context<R> context) {
    var controllerSource = context.eventSourceRetriever().getControllerEventSource();
    return ResourceWriter.through(
        client,
        (target, request) ->
            context.resourceOperations().resourcePatch(target, request, controllerSource));
  }
}
