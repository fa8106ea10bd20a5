package dev.era.cli.cluster;

import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraRun;
import dev.era.api.EraVM;
import java.util.Optional;

/** A connection to the Kubernetes API the CLI works against, in the kubeconfig's namespace. */
public final class Cluster {
  private final KubeApi api;
  private final String namespace;
  private final String description;

  Cluster(KubeApi api, String namespace, String description) {
    this.api = api;
    this.namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
    this.description = description;
  }

  /** "the embedded control plane" or "the cluster in KUBECONFIG (…)", for messages. */
  public String description() {
    return description;
  }

  public String namespace() {
    return namespace;
  }

  public ApiResources<EraVM> vms() {
    return new ApiResources<>(api, EraVM.class, namespace);
  }

  public ApiResources<EraRun> runs() {
    return new ApiResources<>(api, EraRun.class, namespace);
  }

  public ApiResources<EraPool> pools() {
    return new ApiResources<>(api, EraPool.class, namespace);
  }

  public ApiResources<EraNode> nodes() {
    return new ApiResources<>(api, EraNode.class, null);
  }

  /**
   * The bearer token the kubeconfig gives the CLI, if it gives one: node agents accept it on their
   * log endpoints, asking the API server whom it names. Client certificates give none.
   */
  Optional<String> bearerToken() {
    return api.bearerToken();
  }
}
