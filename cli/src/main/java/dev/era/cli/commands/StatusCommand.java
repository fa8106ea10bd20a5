package dev.era.cli.commands;

import dev.era.api.EraNode;
import dev.era.cli.CliException;
import dev.era.cli.ExitCodes;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.ClusterConnector;
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
      print(ControlPlaneReport.stopped(context().paths(), null, kubeconfigVariable));
      return ExitCodes.NOT_RUNNING;
    }
    String accelerator = null;
    Map<String, Long> vms = null;
    if (info.get().phase() == DaemonInfo.Phase.ready) {
      try {
        Cluster cluster = ClusterConnector.embedded(context());
        vms =
            new Sandboxes(cluster, progress())
                .list().stream()
                    .collect(
                        Collectors.groupingBy(
                            vm -> vm.getStatus().getPhase().name(),
                            TreeMap::new,
                            Collectors.counting()));
        EraNode node = cluster.nodes().find(info.get().node()).orElse(null);
        accelerator =
            node == null || node.getStatus().getAccelerator() == null
                ? null
                : node.getStatus().getAccelerator().name();
      } catch (CliException | KubernetesClientException e) {
        // Running but not answering: report what the daemon itself says.
      }
    }
    print(
        ControlPlaneReport.running(
            context().paths(), info.get(), accelerator, vms, kubeconfigVariable));
    return 0;
  }

  private void print(ControlPlaneReport report) {
    if (json()) {
      printJson(report);
      return;
    }
    PrintStream out = out();
    if (!report.running()) {
      out.println("Control plane: not running (start it with `era up`)");
    } else {
      out.println(
          "Control plane: "
              + (report.phase().equals("ready")
                  ? "running"
                  : report.phase() + " (" + report.message() + ")")
              + ", pid "
              + report.pid()
              + ", since "
              + report.startedAt());
      out.println("API server:    " + orUnknown(report.apiUrl()));
      out.println("Kubeconfig:    " + orUnknown(report.kubeconfig()));
      out.println(
          "Node:          "
              + orUnknown(report.node())
              + (report.accelerator() == null ? "" : " (" + report.accelerator() + ")"));
      out.println(
          "VMs:           "
              + (report.vms() == null
                  ? "unknown"
                  : report.vms().isEmpty()
                      ? "none"
                      : report.vms().entrySet().stream()
                          .map(e -> e.getValue() + " " + e.getKey())
                          .collect(Collectors.joining(", "))));
    }
    out.println("Log:           " + report.log());
    if (report.kubeconfigVariable() != null) {
      out.println(
          "Note: KUBECONFIG is set, so the other commands use the cluster it names: "
              + report.kubeconfigVariable());
    }
    out.flush();
  }

  private static String orUnknown(String value) {
    return value == null ? "not yet known" : value;
  }
}
