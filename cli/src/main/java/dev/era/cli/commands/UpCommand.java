package dev.era.cli.commands;

import dev.era.api.EraVMSpec;
import dev.era.cli.daemon.DaemonInfo;
import dev.era.cli.daemon.DaemonProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code era up}: starts the embedded control plane daemon and waits until it is ready. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the embedded control plane in the background.",
      "A Kubernetes API server with the ERA CRDs, the operator and a node agent, in one daemon. "
          + "Writes a kubeconfig for kubectl and says where. Objects saved by `era down` come back; "
          + "VMs left running are re-adopted."
    })
public final class UpCommand extends BaseCommand {
  /** A first start builds the guest image (debootstrap), which takes minutes on a slow host. */
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(20);

  @Option(
      names = "--port",
      defaultValue = "0",
      converter = FlagConverters.Port.class,
      description = "API server port on 127.0.0.1; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--images",
      split = ",",
      paramLabel = "LANGUAGE",
      defaultValue = EraVMSpec.DEFAULT_LANGUAGE,
      converter = FlagConverters.Image.class,
      description =
          "Guest images to build (or find cached) before reporting ready: python, node, or none."
              + " Default: ${DEFAULT-VALUE}.")
  List<String> images;

  @Override
  public Integer call() throws IOException {
    DaemonProcess daemon = new DaemonProcess(context().paths());
    Optional<ProcessHandle> running = daemon.running();
    if (running.isPresent()) {
      // Already up, or another `era up` is starting it: either way, report once it is ready.
      print(daemon.awaitReady(running.get(), READY_TIMEOUT, progress()::step), true);
      return 0;
    }
    progress().step("starting the control plane (log: " + daemon.paths().logFile() + ")");
    ProcessHandle started = daemon.spawn(context().env(), daemonArgs(port, images));
    print(daemon.awaitReady(started, READY_TIMEOUT, progress()::step), false);
    return 0;
  }

  /**
   * The daemon's arguments; {@code none} is passed on as it is, the daemon's own spelling of no
   * images.
   */
  static List<String> daemonArgs(int port, List<String> images) {
    return List.of("--port", String.valueOf(port), "--images", String.join(",", images));
  }

  private void print(DaemonInfo info, boolean wasRunning) {
    if (json()) {
      printJson(
          ControlPlaneReport.running(
              context().paths(), info, null, null, context().env("KUBECONFIG").orElse(null)));
      return;
    }
    PrintStream out = out();
    out.println(
        "ERA control plane is "
            + (wasRunning ? "already running" : "up")
            + " (pid "
            + info.pid()
            + ", node "
            + info.node()
            + ").");
    out.println("API server:  " + info.apiUrl());
    out.println("Kubeconfig:  " + info.kubeconfig());
    out.println("For kubectl: export KUBECONFIG=" + info.kubeconfig());
    out.flush();
  }
}
