package dev.era.operator;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers a resource's labels, finalizers and status as a reconcile found them, and writes back
 * only what the reconcile changed: a JSON patch of just those metadata fields, then the status
 * through the status subresource with optimistic locking, so a status the node agent wrote in the
 * meantime is never overwritten (the conflict makes the reconcile run again on fresh data).
 *
 * <p>JOSDK's own patch controls diff the whole object, and a diff against Java defaults the server
 * never stored (an absent status) yields JSON patches the server rejects; hence this class. Writes
 * go through JOSDK's resource operations so that the next reconcile sees them and they do not
 * trigger one by themselves.
 */
public final class Changes<R extends CustomResource<?, ?>> {
  private final KubernetesClient client;
  private final Map<String, String> labels;
  private final List<String> finalizers;
  private final String status;

  public Changes(R resource, KubernetesClient client) {
    this.client = client;
    this.labels = labels(resource);
    this.finalizers = finalizers(resource);
    this.status = client.getKubernetesSerialization().asJson(resource.getStatus());
  }

  /**
   * Writes what changed since construction; nothing changed, nothing written. A resource deleted
   * while the reconcile ran takes no write, and that is no error.
   */
  public void write(R resource, Context<R> context) {
    try {
      patch(resource, context);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }

  private void patch(R resource, Context<R> context) {
    var controllerSource = context.eventSourceRetriever().getControllerEventSource();
    var operations = context.resourceOperations();
    R current = resource;
    if (!labels.equals(labels(resource)) || !finalizers.equals(finalizers(resource))) {
      String patch = metadataPatch(resource);
      current =
          operations.resourcePatch(
              current,
              r -> client.resource(r).patch(PatchContext.of(PatchType.JSON), patch),
              controllerSource);
    }
    if (!status.equals(client.getKubernetesSerialization().asJson(resource.getStatus()))) {
      setStatus(current, resource);
      operations.resourcePatch(current, r -> client.resource(r).updateStatus(), controllerSource);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void setStatus(CustomResource target, CustomResource source) {
    target.setStatus(source.getStatus());
  }

  /**
   * A JSON patch that sets the labels and finalizers wholesale, guarded by a test of the resource
   * version: it applies only to the object this reconcile read, so nobody else's change is lost.
   */
  private String metadataPatch(R resource) {
    List<Map<String, Object>> ops =
        List.of(
            op("test", "/metadata/resourceVersion", resource.getMetadata().getResourceVersion()),
            op("add", "/metadata/labels", labels(resource)),
            op("add", "/metadata/finalizers", finalizers(resource)));
    return client.getKubernetesSerialization().asJson(ops);
  }

  private static Map<String, Object> op(String op, String path, Object value) {
    Map<String, Object> operation = new LinkedHashMap<>();
    operation.put("op", op);
    operation.put("path", path);
    operation.put("value", value);
    return operation;
  }

  private static Map<String, String> labels(CustomResource<?, ?> resource) {
    Map<String, String> labels = resource.getMetadata().getLabels();
    return labels == null ? Map.of() : Map.copyOf(labels);
  }

  private static List<String> finalizers(CustomResource<?, ?> resource) {
    List<String> finalizers = resource.getMetadata().getFinalizers();
    return finalizers == null ? List.of() : List.copyOf(finalizers);
  }
}
