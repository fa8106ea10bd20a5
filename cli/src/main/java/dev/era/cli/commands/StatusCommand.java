package dev.era.cli.commands;

import dev.era.api.EraNode;
import dev.era.cli.CliException;
import dev.era.cli.ExitCodes;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.ControlPlane;
import dev.era.cli.cluster.Sandboxes;
import dev.era.cli.daemon.DaemonInfo;
import dev.era.cli.daemon.DaemonProcess;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/** {@code era status}: whether the embedded control plane runs, where, and what it holds. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Reports on the embedded control plane.",
      "Whether it runs, its API server, kubeconfig, node and VMs. Exits with 3 when it is not "
          + "running."
    })
public final class StatusCommand extends BaseCommand {

  @Override
  public Integer call() {
    DaemonProcess daemon = new DaemonProcess(context().paths());
    String kubeconfigVariable = context().env("KUBECONFIG").orElse(null);
    Optional<DaemonInfo> info = daemon.info();
    if (info.isEmpty()) {
      print(ControlPlaneView.stopped(context().paths(), null, kubeconfigVariable));
      return ExitCodes.NOT_RUNNING;
    }
    String accelerator = null;
    Map<String, Long> vms = null;
    if (info.get().phase() == DaemonInfo.Phase.ready) {
      try (Cluster cluster = ControlPlane.embedded(context())) {
        vms =
            new Sandboxes(cluster, progress())
                .list().stream()
                    .collect(
                        Collectors.groupingBy(
                            vm -> vm.getStatus().getPhase().name(),
                            TreeMap::new,
                            Collectors.counting()));
        EraNode node = cluster.nodes().withName(info.get().node()).get();
        accelerator =
            node == null || node.getStatus().getAccelerator() == null
                ? null
                : node.getStatus().getAccelerator().name();
      } catch (CliException | KubernetesClientException e) {
        // Running but not answering: report what the daemon itself says.
      }
    }
    print(
        ControlPlaneView.running(
            context().paths(), info.get(), accelerator, vms, kubeconfigVariable));
    return 0;
  }

  private void print(ControlPlaneView view) {
    if (json()) {
      printJson(view);
      return;
    }
    PrintStream out = out();
    if (!view.running()) {
      out.println("Control plane: not running (start it with `era up`)");
    } else {
      out.println(
          "Control plane: "
              + (view.phase().equals("ready")
                  ? "running"
                  : view.phase() + " (" + view.message() + ")")
              + ", pid "
              + view.pid()
              + ", since "
              + view.startedAt());
      out.println("API server:    " + orUnknown(view.apiUrl()));
      out.println("Kubeconfig:    " + orUnknown(view.kubeconfig()));
      out.println(
          "Node:          "
              + orUnknown(view.node())
              + (view.accelerator() == null ? "" : " (" + view.accelerator() + ")"));
      out.println(
          "VMs:           "
              + (view.vms() == null
                  ? "unknown"
                  : view.vms().isEmpty()
                      ? "none"
                      : view.vms().entrySet().stream()
                          .map(e -> e.getValue() + " " + e.getKey())
                          .collect(Collectors.joining(", "))));
    }
    out.println("Log:           " + view.log());
    if (view.kubeconfigVariable() != null) {
      out.println(
          "Note: KUBECONFIG is set, so the other commands use the cluster it names: "
              + view.kubeconfigVariable());
    }
    out.flush();
  }

  private static String orUnknown(String value) {
    return value == null ? "not yet known" : value;
  }
}
