package dev.era.kube;

import dev.era.api.Times;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core v1 Events about ERA resources, for the operator and the node agents alike. Callers
 * emit an event when something changes, so a resource that stays broken does not flood the event
 * stream. Events are advisory: a failed write is logged and never fails the work it describes.
 *
 * <p>Repeats aggregate as client-go's {@code EventCorrelator} does: an event with the same involved
 * object, type, reason and message as one this recorder wrote before (the source is the recorder's
 * own) raises that Event's {@code count} and {@code lastTimestamp} by a merge patch instead of
 * creating another. A bounded LRU cache maps each recent key to its Event's name and count. A key
 * that fell out of it, or whose Event was deleted meanwhile (the patch finds none), starts a new
 * Event at count 1; client-go would recreate it with the old count and first timestamp, which
 * brings back history that whoever deleted it meant to drop. Writes are serialized per recorder, as
 * client-go's broadcaster serializes them, so two repeats never race to create one Event twice.
 *
 * <p>As with client-go, recording does not wait for the API server: events are written in order by
 * one background thread, so that a reconcile's next write is not held up by its event (a round trip
 * on the path from a VM's creation to Running). Up to {@value #MAX_QUEUED} wait; beyond that new
 * ones are dropped and logged, as client-go drops them beyond its queue.
 *
 * <p>Core/v1 {@code count} rather than the events.k8s.io/v1 {@code series}: {@code kubectl} shows
 * both alike, core/v1 is what ERA's tests and tools already read, and a series would rename the
 * same two facts (how often, last seen) for no reader's gain.
 */
public final class EventRecorder {
  /** Long messages (boot failures quote the console) are cut; the full text is in the status. */
  static final int MAX_MESSAGE = 1024;

  /** As client-go's {@code maxLruCacheEntries}. */
  private static final int CACHE_SIZE = 4096;

  /** As client-go's {@code maxQueuedEvents}. */
  static final int MAX_QUEUED = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final String component;
  private final String host;
  private final InstantSource clock;
  private final Executor writer;
  private final Map<Key, Recorded> recent =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Recorded> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  /**
   * @param component the reporting component, e.g. {@code era-operator}
   * @param host the node the reporter runs on, or null for a cluster-wide component
   */
  public EventRecorder(KubernetesClient client, String component, String host) {
    this(client, component, host, InstantSource.system(), inBackground(component));
  }

  /**
   * As above, with the clock that stamps the events (tests advance it) and what runs the writes, in
   * the order given (tests pass {@code Runnable::run} to write before {@code record} returns).
   */
  public EventRecorder(
      KubernetesClient client,
      String component,
      String host,
      InstantSource clock,
      Executor writer) {
    this.client = client;
    this.component = component;
    this.host = host;
    this.clock = clock;
    this.writer = writer;
  }

  /** One thread, started when there is something to write and ended when idle. */
  private static Executor inBackground(String component) {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_QUEUED),
            r -> {
              Thread t = new Thread(r, component + "-events");
              t.setDaemon(true);
              return t;
            },
            (dropped, full) -> LOG.warn("{} events are queued; dropping one", MAX_QUEUED));
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String now = Times.format(clock.instant());
    String namespace =
        about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
    Key key = new Key(reference(about), type, reason, cut(message));
    writer.execute(() -> write(namespace, key, now));
  }

  private synchronized void write(String namespace, Key key, String now) {
    try {
      Recorded before = recent.get(key);
      Recorded after = before == null ? null : repeat(namespace, before, now);
      recent.put(key, after != null ? after : create(namespace, key, now));
    } catch (RuntimeException e) { // a client closing with its component, too
      LOG.warn(
          "could not record event {} for {}: {}",
          key.reason(),
          key.involved().getName(),
          e.getMessage());
    }
  }

  /** Raises the count of the Event recorded before; null when that Event is gone. */
  private Recorded repeat(String namespace, Recorded before, String now) {
    int count = before.count() + 1;
    // The object names the Event (no GET first: patching needs only the patch verb) and is the
    // merge patch itself.
    Event patch =
        new EventBuilder()
            .withNewMetadata()
            .withName(before.name())
            .withNamespace(namespace)
            .endMetadata()
            .withCount(count)
            .withLastTimestamp(now)
            .build();
    try {
      client.v1().events().resource(patch).patch(PatchContext.of(PatchType.JSON_MERGE));
      return new Recorded(before.name(), count);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  private Recorded create(String namespace, Key key, String now) {
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(key.involved().getName() + ".")
            .withNamespace(namespace)
            .endMetadata()
            .withInvolvedObject(key.involved())
            .withType(key.type())
            .withReason(key.reason())
            .withMessage(key.message())
            .withCount(1)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withReportingComponent(component)
            .withReportingInstance(host == null ? component : component + "-" + host)
            .withAction(key.reason())
            .withNewSource()
            .withComponent(component)
            .withHost(host)
            .endSource()
            .build();
    Event created = client.v1().events().inNamespace(namespace).resource(event).create();
    return new Recorded(created.getMetadata().getName(), 1);
  }

  private static ObjectReference reference(HasMetadata about) {
    return new ObjectReferenceBuilder()
        .withApiVersion(about.getApiVersion())
        .withKind(about.getKind())
        .withName(about.getMetadata().getName())
        .withNamespace(about.getMetadata().getNamespace())
        .withUid(about.getMetadata().getUid())
        .build();
  }

  static String cut(String message) {
    if (message == null || message.length() <= MAX_MESSAGE) {
      return message;
    }
    return message.substring(0, MAX_MESSAGE - 1) + "…";
  }

  /** What makes two events repeats of one another; the source is this recorder's. */
  private record Key(ObjectReference involved, String type, String reason, String message) {}

  private record Recorded(String name, int count) {}
}
