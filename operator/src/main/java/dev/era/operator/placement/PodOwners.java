package dev.era.operator.placement;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Set;
import java.util.stream.Collectors;

/** The resources that control a pod: an EraVM its reservation pod, an EraPool a warm pod. */
public final class PodOwners {
  private PodOwners() {}

  /** The controllers of the pod of the given kind, in the pod's namespace. */
  public static Set<ResourceID> of(Pod pod, Class<? extends HasMetadata> kind) {
    String name = HasMetadata.getKind(kind);
    return pod.getMetadata().getOwnerReferences().stream()
        .filter(o -> Boolean.TRUE.equals(o.getController()) && name.equals(o.getKind()))
        .map(o -> new ResourceID(o.getName(), pod.getMetadata().getNamespace()))
        .collect(Collectors.toSet());
  }
}
