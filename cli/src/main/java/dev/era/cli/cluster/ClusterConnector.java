package dev.era.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.era.api.Era;
import dev.era.cli.CliContext;
import dev.era.cli.CliException;
import dev.era.cli.daemon.DaemonInfo;
import dev.era.cli.daemon.DaemonProcess;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * Picks the Kubernetes API a command works against: the cluster KUBECONFIG names when it is set,
 * else the embedded control plane when its daemon runs, else none (an error saying to run {@code
 * era up}).
 */
public final class ClusterConnector {
  /** Fail fast on a dead local server; a flaky network to a real cluster still gets a retry. */
  private static final int RETRIES = 1;

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** The API group's discovery document: present when the ERA CRDs are installed. */
  private static final String DISCOVERY = "/apis/" + Era.API_VERSION;

  private ClusterConnector() {}

  public static Cluster connect(CliContext context) {
    String kubeconfigVariable = context.env("KUBECONFIG").orElse(null);
    if (kubeconfigVariable != null) {
      Path file =
          Arrays.stream(kubeconfigVariable.split(File.pathSeparator))
              .filter(p -> !p.isBlank())
              .map(context.cwd()::resolve)
              .filter(Files::isRegularFile)
              .findFirst()
              .orElseThrow(
                  () ->
                      new CliException(
                          "KUBECONFIG names no file that exists (" + kubeconfigVariable + ")",
                          "fix KUBECONFIG, or unset it to use the embedded control plane"));
      return open(
          file,
          "the cluster in KUBECONFIG (" + file + ")",
          "check that cluster, or unset KUBECONFIG to use the embedded control plane");
    }
    return embedded(context);
  }

  /** The embedded control plane, whatever KUBECONFIG says: for `era down` and `era status`. */
  public static Cluster embedded(CliContext context) {
    DaemonProcess daemon = new DaemonProcess(context.paths());
    DaemonInfo info =
        daemon
            .info()
            .orElseThrow(
                () ->
                    new CliException(
                        "no control plane running",
                        "start one with `era up`, or set KUBECONFIG to use a cluster"));
    if (info.phase() != DaemonInfo.Phase.ready) {
      throw new CliException(
          "the control plane is still starting (" + info.message() + ")",
          "wait for `era up` to finish; see `era status`");
    }
    return open(
        Path.of(info.kubeconfig()),
        "the embedded control plane",
        "see `era status` and the log " + daemon.paths().logFile());
  }

  private static Cluster open(Path kubeconfig, String description, String unreachableHint) {
    Config config;
    try {
      config = KubeconfigFile.read(kubeconfig);
    } catch (IOException | KubernetesClientException e) {
      throw new CliException(
          "cannot read the kubeconfig " + kubeconfig + ": " + e.getMessage(),
          "check the file, or unset KUBECONFIG",
          e);
    }
    try {
      KubeApi api = ApiConnections.of(config, CONNECT_TIMEOUT, RETRIES);
      if (api.get(DISCOVERY, KubeApi.JSON.constructType(JsonNode.class)).isEmpty()) {
        throw new CliException(
            description + " does not serve " + Era.API_VERSION + " (the ERA CRDs are missing)",
            "install ERA there: `kubectl apply -f crds/`, or the Helm chart in helm/era");
      }
      return new Cluster(api, config.getNamespace(), description);
    } catch (KubernetesClientException e) {
      throw new CliException(
          "cannot reach " + description + " at " + config.getMasterUrl(), unreachableHint, e);
    }
  }
}
