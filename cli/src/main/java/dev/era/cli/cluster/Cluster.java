package dev.era.cli.cluster;

import dev.era.api.EraNode;
import dev.era.api.EraPool;
import dev.era.api.EraRun;
import dev.era.api.EraVM;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Optional;
import java.util.stream.Stream;

/** A connection to the Kubernetes API the CLI works against, in the kubeconfig's namespace. */
public final class Cluster implements AutoCloseable {
  private final KubernetesClient client;
  private final String description;

  Cluster(KubernetesClient client, String description) {
    this.client = client;
    this.description = description;
  }

  /** "the embedded control plane" or "the cluster in KUBECONFIG (…)", for messages. */
  public String description() {
    return description;
  }

  public String namespace() {
    String namespace = client.getNamespace();
    return namespace == null || namespace.isBlank() ? "default" : namespace;
  }

  public NonNamespaceOperation<EraVM, KubernetesResourceList<EraVM>, Resource<EraVM>> vms() {
    return client.resources(EraVM.class).inNamespace(namespace());
  }

  public NonNamespaceOperation<EraRun, KubernetesResourceList<EraRun>, Resource<EraRun>> runs() {
    return client.resources(EraRun.class).inNamespace(namespace());
  }

  public NonNamespaceOperation<EraPool, KubernetesResourceList<EraPool>, Resource<EraPool>>
      pools() {
    return client.resources(EraPool.class).inNamespace(namespace());
  }

  public NonNamespaceOperation<EraNode, KubernetesResourceList<EraNode>, Resource<EraNode>>
      nodes() {
    return client.resources(EraNode.class);
  }

  /**
   * The bearer token the kubeconfig gives the CLI, if it gives one: node agents accept it on their
   * log endpoints, asking the API server whom it names. Client certificates give none.
   */
  Optional<String> bearerToken() {
    Config config = client.getConfiguration();
    if (config.getOauthTokenProvider() != null) {
      return Optional.ofNullable(config.getOauthTokenProvider().getToken());
    }
    return Stream.of(config.getOauthToken(), config.getAutoOAuthToken())
        .filter(token -> token != null && !token.isBlank())
        .findFirst();
  }

  @Override
  public void close() {
    client.close();
  }
}
