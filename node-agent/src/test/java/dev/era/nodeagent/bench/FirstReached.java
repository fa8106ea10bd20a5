package dev.era.nodeagent.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * When each object, by name, first met a condition, as an informer heard it: a benchmark's clock
 * stops when the API server reports the state, not when a poll happens to find it. A name deleted
 * and used again starts over.
 */
final class FirstReached<T extends HasMetadata> implements ResourceEventHandler<T> {
  private final Predicate<T> condition;
  private final Map<String, Long> nanos = new ConcurrentHashMap<>();

  FirstReached(Predicate<T> condition) {
    this.condition = condition;
  }

  /** Seconds from {@code start} ({@link System#nanoTime}) until {@code name} met the condition. */
  double secondsFrom(long start, String name, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(5)).until(() -> nanos.containsKey(name));
    return (nanos.get(name) - start) / 1e9;
  }

  @Override
  public void onAdd(T object) {
    onUpdate(object, object);
  }

  @Override
  public void onUpdate(T old, T object) {
    if (condition.test(object)) {
      nanos.putIfAbsent(object.getMetadata().getName(), System.nanoTime());
    }
  }

  @Override
  public void onDelete(T object, boolean finalStateUnknown) {
    nanos.remove(object.getMetadata().getName());
  }
}
