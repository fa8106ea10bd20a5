package dev.era.cli.commands;

import dev.era.cli.daemon.DaemonInfo;
import dev.era.cli.daemon.EraPaths;
import java.util.Map;

/**
 * The embedded control plane as {@code era up}, {@code era status} and {@code era down} report it.
 *
 * @param vms VM counts by phase; null when unknown
 * @param vmsLeftRunning {@code era down}: VMs that keep running, to be re-adopted by the next up
 * @param kubeconfigVariable KUBECONFIG when set: the other commands then use that cluster instead
 */
record ControlPlaneReport(
    boolean running,
    Long pid,
    String phase,
    String message,
    String apiUrl,
    String kubeconfig,
    String node,
    String accelerator,
    Map<String, Long> vms,
    Integer vmsLeftRunning,
    String log,
    String savedObjects,
    String startedAt,
    String kubeconfigVariable) {

  static ControlPlaneReport stopped(
      EraPaths paths, Integer vmsLeftRunning, String kubeconfigVariable) {
    return new ControlPlaneReport(
        false,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        vmsLeftRunning,
        paths.logFile().toString(),
        paths.objectsFile().toString(),
        null,
        kubeconfigVariable);
  }

  static ControlPlaneReport running(
      EraPaths paths,
      DaemonInfo info,
      String accelerator,
      Map<String, Long> vms,
      String kubeconfigVariable) {
    return new ControlPlaneReport(
        true,
        info.pid(),
        info.phase().name(),
        info.message(),
        info.apiUrl(),
        info.kubeconfig(),
        info.node(),
        accelerator,
        vms,
        null,
        paths.logFile().toString(),
        paths.objectsFile().toString(),
        info.startedAt(),
        kubeconfigVariable);
  }
}
