package dev.era.nodeagent.vm;

import dev.era.api.ReservationPods;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Pods as the operator makes them for the agent to join: a controller and a token. */
final class TokenPods {
  private TokenPods() {}

  /**
   * @param ownerKind EraVM for a VM's reservation pod, EraPool for a warm pod
   * @param node the node it is bound to; null for none yet
   */
  static PodBuilder pod(
      String name, String ownerKind, String ownerName, String ownerUid, String node, String token) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .addNewOwnerReference()
        .withApiVersion("era.dev/v1alpha1")
        .withKind(ownerKind)
        .withName(ownerName)
        .withUid(ownerUid)
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName(ReservationPods.CONTAINER)
        .withImage("registry.k8s.io/pause:3.10")
        .addNewEnv()
        .withName(ReservationPods.TOKEN_ENV)
        .withValue(token)
        .endEnv()
        .endContainer()
        .endSpec();
  }
}
