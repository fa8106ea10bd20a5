package dev.era.operator;

import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.util.function.Consumer;

/** Test server setup: the CRDs from crds/ exist before the operator starts. */
public class ApplyCrds implements Consumer<KubernetesServer> {
  @Override
  public void accept(KubernetesServer server) {
    TestCluster.applyCrds(server.getClient());
  }
}
