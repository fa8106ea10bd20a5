package dev.era.cli.commands;

import dev.era.cli.CliContext;
import dev.era.cli.EraCommand;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.ClusterConnector;
import dev.era.cli.cluster.VmView;
import dev.era.cli.output.JsonOutput;
import dev.era.cli.output.Progress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the context, {@code -o} and {@code --debug}, progress. */
abstract class BaseCommand implements Callable<Integer> {
  /** How long a node gets to stop or remove VMs. */
  static final Duration TEARDOWN_TIMEOUT = Duration.ofMinutes(2);

  /** The root is {@link EraCommand}, also for subcommands of subcommands (`era pool create`). */
  @Spec private CommandSpec spec;

  @Mixin private CommonOptions common;

  private Progress progress;

  protected CliContext context() {
    return ((EraCommand) spec.root().userObject()).context();
  }

  protected boolean json() {
    return common.output == OutputFormat.json;
  }

  protected PrintStream out() {
    return context().out();
  }

  protected PrintStream err() {
    return context().err();
  }

  /** Progress on stderr, timed from the first use; silent with {@code -o json}. */
  protected Progress progress() {
    if (progress == null) {
      progress = new Progress(err(), !json());
    }
    return progress;
  }

  /** The cluster KUBECONFIG names, else the embedded control plane. */
  protected Cluster connect() {
    return ClusterConnector.connect(context());
  }

  protected void printJson(Object value) {
    JsonOutput.print(out(), value);
  }

  /** VMs after a stop or start: JSON, or one "name: phase" line each. */
  protected void printStates(List<VmView> vms) {
    if (json()) {
      printJson(vms);
    } else if (vms.isEmpty()) {
      out().println("No VMs.");
    } else {
      vms.forEach(vm -> out().println(vm.name() + ": " + vm.phase()));
    }
  }
}
