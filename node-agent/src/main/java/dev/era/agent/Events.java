package dev.era.agent;

import dev.era.api.Times;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Writes core v1 Events about the resources the agent acts on. Events are advisory: a failed write
 * is logged and never fails the work it describes.
 */
public final class Events {
  public static final String COMPONENT = "era-node-agent";
  private static final Logger LOG = Logger.getLogger(Events.class);
  /** Long messages (boot failures quote the console) are cut; the full text is in the status. */
  static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String nodeName;

  public Events(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String now = Times.format(Instant.now());
    String namespace = about.getMetadata().getNamespace() == null
        ? "default" : about.getMetadata().getNamespace();
    var event = new EventBuilder()
        .withNewMetadata()
        .withGenerateName(about.getMetadata().getName() + ".")
        .withNamespace(namespace)
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
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
        .withReportingComponent(COMPONENT)
        .withReportingInstance(COMPONENT + "-" + nodeName)
        .withAction(reason)
        .withNewSource()
        .withComponent(COMPONENT)
        .withHost(nodeName)
        .endSource()
        .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warnf("could not record event %s for %s: %s", reason, about.getMetadata().getName(),
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
