package dev.era.nodeagent;

import dev.era.api.Accelerator;
import dev.era.api.ReservationPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Labels this node's Node object with the accelerator the agent found ({@link
 * ReservationPods#ACCELERATOR_LABEL}), which reservation pods require in their node affinity: a VM
 * is scheduled only where an agent runs and can boot it. The embedded control plane has no Node
 * objects; there the label is skipped.
 */
final class NodeAcceleratorLabel {
  private static final Logger LOG = Logger.getLogger(NodeAcceleratorLabel.class);

  private final KubernetesClient client;
  private final String nodeName;
  private Accelerator labelled;

  NodeAcceleratorLabel(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  /** Writes the label once per value; a failure is tried again on the next call. */
  synchronized void apply(Accelerator accelerator) {
    if (accelerator == labelled) {
      return;
    }
    String patch =
        client
            .getKubernetesSerialization()
            .asJson(
                Map.of(
                    "metadata",
                    Map.of(
                        "labels", Map.of(ReservationPods.ACCELERATOR_LABEL, accelerator.name()))));
    try {
      client.nodes().withName(nodeName).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      labelled = accelerator;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        labelled = accelerator; // no Node object: the embedded control plane
        LOG.debugf("no Node %s to label: %s", nodeName, e.getMessage());
      } else {
        LOG.warnf(
            "cannot label Node %s with %s=%s (reservation pods select nodes by it): %s",
            nodeName, ReservationPods.ACCELERATOR_LABEL, accelerator, e.getMessage());
      }
    }
  }
}
