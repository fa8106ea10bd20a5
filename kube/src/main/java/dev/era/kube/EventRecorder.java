package dev.era.kube;

import dev.era.api.Times;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core v1 Events about ERA resources, for the operator and the node agents alike. Callers
 * emit an event when something changes, so a resource that stays broken does not flood the event
 * stream. Events are advisory: a failed write is logged and never fails the work it describes.
 */
public final class EventRecorder {
  /** Long messages (boot failures quote the console) are cut; the full text is in the status. */
  static final int MAX_MESSAGE = 1024;

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final String component;
  private final String host;

  /**
   * @param component the reporting component, e.g. {@code era-operator}
   * @param host the node the reporter runs on, or null for a cluster-wide component
   */
  public EventRecorder(KubernetesClient client, String component, String host) {
    this.client = client;
    this.component = component;
    this.host = host;
  }

  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String now = Times.format(Instant.now());
    String namespace =
        about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(about.getMetadata().getName() + ".")
            .withNamespace(namespace)
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(about.getApiVersion())
                    .withKind(about.getKind())
                    .withName(about.getMetadata().getName())
                    .withNamespace(about.getMetadata().getNamespace())
                    .withUid(about.getMetadata().getUid())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(cut(message))
            .withCount(1)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withReportingComponent(component)
            .withReportingInstance(host == null ? component : component + "-" + host)
            .withAction(reason)
            .withNewSource()
            .withComponent(component)
            .withHost(host)
            .endSource()
            .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} for {}: {}",
          reason,
          about.getMetadata().getName(),
          e.getMessage());
    }
  }

  static String cut(String message) {
    if (message == null || message.length() <= MAX_MESSAGE) {
      return message;
    }
    return message.substring(0, MAX_MESSAGE - 1) + "…";
  }
}
