package dev.era.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The one way ERA's components write a resource's status and metadata: an edit applied to a copy,
 * sent as JSON merge patches of only what it changed (metadata to the resource, status to its
 * status subresource).
 *
 * <p>A patch carries the {@code resourceVersion} it was computed from, so it applies to that
 * version only, when it must: when the write has a precondition (claiming a run is "Pending →
 * Running", and two agents must not both win), and when it sets or removes a list, which a merge
 * patch replaces whole (conditions, finalizers), so that nobody else's entries are lost. A patch of
 * scalars alone, written unconditionally, merges into whatever is there.
 *
 * <p>On a conflict the resource is read again, the precondition checked again and the edit applied
 * again to the fresh copy, in {@value #ATTEMPTS} attempts at most. A precondition that fails on the
 * copy given is checked again on the latest one before the write is declined, so callers may pass
 * whatever copy they hold.
 *
 * @param <R> the kind written
 */
public final class ResourceWriter<R extends HasMetadata> {
  static final int ATTEMPTS = 10;

  public enum Result {
    /** The edit was written. */
    WRITTEN,
    /** The precondition held but the resource already was as the edit would make it. */
    UNCHANGED,
    /** The precondition did not hold (on the latest copy), or the resource is gone. */
    DECLINED
  }

  /**
   * How a request reaches the API server: directly, or through a controller's cache that must see
   * its own writes (java-operator-sdk's {@code context.resourceOperations().resourcePatch}).
   */
  @FunctionalInterface
  public interface Channel<R> {
    /** Sends {@code request} about {@code target} and returns the resource the server answered. */
    R send(R target, UnaryOperator<R> request);
  }

  private final KubernetesClient client;
  private final Channel<R> channel;

  private ResourceWriter(KubernetesClient client, Channel<R> channel) {
    this.client = client;
    this.channel = channel;
  }

  /** A writer whose requests go straight to the API server. */
  public static <R extends HasMetadata> ResourceWriter<R> direct(KubernetesClient client) {
    return new ResourceWriter<>(client, (target, request) -> request.apply(target));
  }

  /** A writer whose requests go through {@code channel}. */
  public static <R extends HasMetadata> ResourceWriter<R> through(
      KubernetesClient client, Channel<R> channel) {
    return new ResourceWriter<>(client, channel);
  }

  /**
   * Writes an edit that holds on any version; guarded by the resourceVersion only if it changes a
   * list.
   *
   * @param from the resource as last seen; not modified (copies are edited)
   * @param edit changes the copy's status or metadata
   */
  public Result write(R from, Consumer<R> edit) {
    return write(from, null, edit);
  }

  /**
   * Writes an edit that holds only while {@code applies} does; always guarded by the
   * resourceVersion.
   *
   * @param from the resource as last seen; not modified (copies are edited)
   * @param applies whether the edit still applies to a copy (checked on every fresh copy)
   * @param edit changes the copy's status or metadata
   */
  public Result write(R from, Predicate<R> applies, Consumer<R> edit) {
    var json = client.getKubernetesSerialization();
    return write(
        from,
        applies,
        current -> {
          R edited = json.clone(current);
          edit.accept(edited);
          return edited;
        });
  }

  /**
   * Writes what a reconcile changed, metadata and status, to the version it read and no other: a
   * reconcile decides on everything it read, so its changes cannot be applied to a newer version.
   * When there is one, the write is declined, and the event of that version makes the reconcile run
   * again on it.
   *
   * @param read a copy of the resource as the reconcile found it
   * @param edited the resource as the reconcile left it
   */
  public Result writeChanges(R read, R edited) {
    String version = read.getMetadata().getResourceVersion();
    return write(
        read, r -> version.equals(r.getMetadata().getResourceVersion()), current -> edited);
  }

  private Result write(R from, Predicate<R> applies, UnaryOperator<R> edit) {
    var json = client.getKubernetesSerialization();
    R current = json.clone(from);
    boolean fresh = false;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (current == null) {
        return Result.DECLINED;
      }
      if (applies != null && !applies.test(current)) {
        if (fresh) {
          return Result.DECLINED;
        }
        current = latest(from); // the copy given may be stale: decide on the latest
        fresh = true;
        continue;
      }
      JsonNode before = json.convertValue(current, JsonNode.class);
      JsonNode after = json.convertValue(edit.apply(current), JsonNode.class);
      ObjectNode metadata = MergePatch.diff(before.path("metadata"), after.path("metadata"));
      ObjectNode status = MergePatch.diff(before.path("status"), after.path("status"));
      if (metadata.isEmpty() && status.isEmpty()) {
        return Result.UNCHANGED;
      }
      boolean guarded =
          applies != null
              || MergePatch.touchesList(metadata, before.path("metadata"))
              || MergePatch.touchesList(status, before.path("status"));
      try {
        if (!metadata.isEmpty()) {
          current = send(current, metadata, null, guarded);
        }
        if (!status.isEmpty()) {
          send(current, null, status, guarded);
        }
        return Result.WRITTEN;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return Result.DECLINED;
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        current = latest(from);
        fresh = true;
      }
    }
    throw new KubernetesClientException(
        from.getKind()
            + " "
            + from.getMetadata().getName()
            + " kept changing under the writer ("
            + ATTEMPTS
            + " conflicts in a row)");
  }

  private R latest(R from) {
    return client.resource(from).get();
  }

  private R send(R target, ObjectNode metadata, ObjectNode status, boolean guarded) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    ObjectNode meta = metadata == null ? patch.objectNode() : metadata.deepCopy();
    if (guarded) {
      meta.put("resourceVersion", target.getMetadata().getResourceVersion());
    }
    if (!meta.isEmpty()) {
      patch.set("metadata", meta);
    }
    if (status != null) {
      patch.set("status", status);
    }
    String body = client.getKubernetesSerialization().asJson(patch);
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    return channel.send(
        target,
        r ->
            status == null
                ? client.resource(r).patch(merge, body)
                : client.resource(r).subresource("status").patch(merge, body));
  }
}
