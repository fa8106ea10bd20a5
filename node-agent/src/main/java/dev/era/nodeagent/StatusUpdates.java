package dev.era.nodeagent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Writes status through the status subresource with optimistic locking: the write carries the
 * resourceVersion it was computed from, so it never overwrites what someone else (the operator)
 * wrote in between. On a conflict the resource is read again, and the precondition checked and the
 * edit applied again on the fresh copy; that is what makes claiming a run (Pending → Running) safe
 * between agents. A precondition that fails on the copy given is checked again on the latest one
 * before the edit is declined, so callers may pass whatever copy they hold.
 */
public final class StatusUpdates {
  static final int ATTEMPTS = 10;

  public enum Result {
    /** The edit was written. */
    WRITTEN,
    /** The precondition held but the status already was as the edit would make it. */
    UNCHANGED,
    /** The precondition did not hold (on the latest copy), or the resource is gone. */
    DECLINED
  }

  private StatusUpdates() {}

  /**
   * @param from the resource as last seen; not modified (copies are edited)
   * @param applies whether the edit still applies to a copy (checked on every fresh copy)
   * @param edit changes the copy's status
   */
  public static <R extends HasMetadata> Result update(
      KubernetesClient client, R from, Predicate<R> applies, Consumer<R> edit) {
    var json = client.getKubernetesSerialization();
    R current = json.clone(from);
    boolean fresh = false;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (current == null) {
        return Result.DECLINED;
      }
      if (!applies.test(current)) {
        if (fresh) {
          return Result.DECLINED;
        }
        current = client.resource(from).get(); // the copy given may be stale: decide on the latest
        fresh = true;
        continue;
      }
      String before = json.asJson(current);
      edit.accept(current);
      if (before.equals(json.asJson(current))) {
        return Result.UNCHANGED;
      }
      try {
        client.resource(current).updateStatus();
        return Result.WRITTEN;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return Result.DECLINED;
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        current = client.resource(from).get();
        fresh = true;
      }
    }
    throw new KubernetesClientException(
        "the status of "
            + from.getKind()
            + " "
            + from.getMetadata().getName()
            + " kept changing under the node agent ("
            + ATTEMPTS
            + " conflicts in a row)");
  }
}
