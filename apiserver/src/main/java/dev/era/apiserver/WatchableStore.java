package dev.era.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * fabric8's CRUD store with a history of its recent changes, so that a watch resumes from the
 * resourceVersion its client last saw (a list's, or its last event's) and hears every change since,
 * as from kube-apiserver's watch cache. The store's own watches start with the current objects: a
 * change between a client's list and its watch was never heard (an object deleted meanwhile, and
 * {@code kubectl delete --wait} waited out its timeout). A watch from a version older than the
 * history is answered with 410 Gone (Expired), on which clients list again.
 *
 * <p>Changes are recorded and sent to the open watches under this object's lock, and a watch
 * replays the history and joins under it too, so none is heard twice or missed. A deletion takes a
 * resourceVersion of its own, which its DELETED event carries, as on a real server.
 */
final class WatchableStore extends KubernetesCrudDispatcher {
  /** Changes kept for watches to resume from; older ones need a new list. */
  static final int HISTORY = 4096;

  /** A stored object's states before and after one change (null: absent), and their keys. */
  private record Change(
      long version, AttributeSet before, AttributeSet after, String oldState, String newState) {}

  private final int historySize;
  private final Deque<Change> history = new ArrayDeque<>();
  private final Set<StoreWatch> watches = new LinkedHashSet<>();
  private long forgotten;

  WatchableStore() {
    this(HISTORY);
  }

  WatchableStore(int historySize) {
    this.historySize = historySize;
  }

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    synchronized (this) {
      String existing = oldAttributes == null ? null : getMap().get(oldAttributes);
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      if (Objects.equals(existing, newState)) {
        return;
      }
      long version;
      String oldState = existing;
      if (newState == null) {
        version = requestResourceVersion();
        ObjectNode deleted = Json.readObject(existing);
        deleted.with("metadata").put("resourceVersion", String.valueOf(version));
        oldState = Json.write(deleted);
      } else {
        version =
            Long.parseLong(
                Json.read(newState).path("metadata").path("resourceVersion").asText("0"));
      }
      Change change =
          new Change(
              version,
              oldAttributes,
              keyOf(pathAttributes, resource, newState),
              oldState,
              newState);
      history.addLast(change);
      if (history.size() > historySize) {
        forgotten = history.removeFirst().version();
      }
      List.copyOf(watches).forEach(w -> deliver(w, change));
    }
  }

  /**
   * A watch of the collection at {@code path} (its namespace, group and resource), opened when the
   * client's stream is.
   *
   * @param resourceVersion where the client's knowledge ends: null, empty or "0" for none (it first
   *     hears every current object as ADDED), else the version it resumes after
   */
  MockResponse watch(String path, String resourceVersion) {
    Long from = null;
    if (resourceVersion != null && !resourceVersion.isEmpty() && !"0".equals(resourceVersion)) {
      try {
        from = Long.parseUnsignedLong(resourceVersion);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest(
            "resourceVersion: Invalid value: \"" + resourceVersion + "\": must be a number");
      }
    }
    return new MockResponse().withWebSocketUpgrade(new StoreWatch(this, getKey(path), from));
  }

  /** Sends the watch what it missed (or the current objects), then every change as it comes. */
  synchronized void open(StoreWatch watch) {
    Long from = watch.from();
    if (from == null) {
      List<String> current;
      synchronized (getMap()) {
        current = new ArrayList<>();
        for (Map.Entry<AttributeSet, String> e : getMap().entrySet()) {
          if (watch.matches(e.getKey())) {
            current.add(e.getValue());
          }
        }
      }
      current.forEach(state -> watch.send("ADDED", state));
    } else if (from < forgotten) {
      watch.expire("too old resource version: " + from + " (" + (forgotten + 1) + ")");
      return;
    } else {
      for (Change change : history) {
        if (change.version() > from) {
          deliver(watch, change);
        }
      }
    }
    watches.add(watch);
  }

  synchronized void close(StoreWatch watch) {
    watches.remove(watch);
  }

  /** As the store's own watches tell it: what left a watch's view is DELETED to it. */
  private void deliver(StoreWatch watch, Change change) {
    boolean before = change.before() != null && watch.matches(change.before());
    boolean after = change.after() != null && watch.matches(change.after());
    if (before && after) {
      watch.send("MODIFIED", change.newState());
    } else if (before) {
      watch.send("DELETED", change.oldState());
    } else if (after) {
      watch.send("ADDED", change.newState());
    }
  }

  /** The key the store filed {@code state} under, found as the store finds it. */
  private AttributeSet keyOf(
      AttributeSet pathAttributes, GenericKubernetesResource resource, String state) {
    if (state == null) {
      return null;
    }
    KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    AttributeSet key =
        resource != null ? extractor.extract(resource) : extractor.fromResource(state);
    return key.containsKey(KubernetesAttributesExtractor.PLURAL)
        ? key
        : AttributeSet.merge(pathAttributes, key);
  }
}
