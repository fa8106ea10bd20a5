package dev.era.cli.commands;

import dev.era.api.EraVMPhase;
import dev.era.cli.CliException;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.ClusterConnector;
import dev.era.cli.cluster.Sandboxes;
import dev.era.cli.daemon.DaemonProcess;
import dev.era.cli.daemon.EmbeddedControlPlane;
import dev.era.launcher.QemuLauncher;
import dev.era.launcher.VmHandle;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code era down}: stops the embedded control plane; its objects are saved for the next up. */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = {
      "Stops the embedded control plane.",
      "Its objects are saved and come back with the next `era up`. Running VMs keep running and "
          + "are re-adopted then, unless --stop-vms."
    })
public final class DownCommand extends BaseCommand {
  /** Saving the objects takes well under a second; stopping the informers a few. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  @Option(
      names = "--stop-vms",
      description =
          "Stop every VM first (persistent disks are kept): nothing keeps running, and the VMs come"
              + " back Stopped.")
  boolean stopVms;

  @Override
  public Integer call() {
    DaemonProcess daemon = new DaemonProcess(context().paths());
    Optional<ProcessHandle> running = daemon.running();
    if (running.isEmpty()) {
      report(null, false);
      return 0;
    }
    Integer leftRunning = prepare(daemon);
    progress().step("stopping the control plane (saving its objects)");
    if (!daemon.stop(running.get(), STOP_TIMEOUT)) {
      throw new CliException(
          "the control plane did not stop within " + STOP_TIMEOUT.toSeconds() + " s and was killed",
          "objects changed since its last periodic save may be lost; see its log "
              + daemon.paths().logFile());
    }
    if (stopVms) {
      stopWarmGuests();
    }
    report(leftRunning, true);
    return 0;
  }

  /**
   * The pools' ready guests belong to no EraVM, so stopping the VMs left them running; with the
   * control plane down nothing else uses them (the next `era up` boots its pools' guests again).
   */
  private void stopWarmGuests() {
    try (QemuLauncher launcher = EmbeddedControlPlane.launcher(context().paths())) {
      for (VmHandle guest : launcher.list()) {
        progress().step("stopping warm guest " + guest.id());
        guest.kill();
      }
    }
  }

  /** Stops the VMs with --stop-vms; returns how many keep running, or null when that is unknown. */
  private Integer prepare(DaemonProcess daemon) {
    if (daemon.info().isEmpty()) {
      return null; // still starting, or broken: nothing to ask
    }
    if (!stopVms) {
      return runningVms();
    }
    Cluster cluster = ClusterConnector.embedded(context());
    Sandboxes sandboxes = new Sandboxes(cluster, progress());
    List<String> up =
        sandboxes.list().stream()
            .filter(vm -> Boolean.TRUE.equals(vm.getSpec().getRunning()))
            .map(vm -> vm.getMetadata().getName())
            .toList();
    up.forEach(name -> sandboxes.setRunning(name, false));
    sandboxes.awaitStopped(up, TEARDOWN_TIMEOUT);
    return 0;
  }

  /**
   * How many VMs will keep running; null when the API server does not answer (it goes down anyway).
   */
  private Integer runningVms() {
    try {
      Cluster cluster = ClusterConnector.embedded(context());
      return (int)
          new Sandboxes(cluster, progress())
              .list().stream()
                  .filter(vm -> vm.getStatus().getPhase() == EraVMPhase.Running)
                  .count();
    } catch (CliException | KubernetesClientException e) {
      return null;
    }
  }

  private void report(Integer leftRunning, boolean stopped) {
    String kubeconfigVariable = context().env("KUBECONFIG").orElse(null);
    if (json()) {
      printJson(ControlPlaneReport.stopped(context().paths(), leftRunning, kubeconfigVariable));
      return;
    }
    if (!stopped) {
      out().println("ERA control plane is not running.");
    } else {
      out()
          .println(
              "ERA control plane stopped; its objects are saved in "
                  + context().paths().objectsFile()
                  + ".");
      if (leftRunning != null && leftRunning > 0) {
        out()
            .println(
                leftRunning
                    + " VM(s) keep running; `era up` re-adopts them (`era down --stop-vms` stops them).");
      }
    }
    out().flush();
  }
}
