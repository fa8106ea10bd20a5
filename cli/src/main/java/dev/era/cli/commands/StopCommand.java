package dev.era.cli.commands;

import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.Sandboxes;
import dev.era.cli.cluster.VmView;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/** {@code era stop}: VMs down, persistent disks kept. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = {
      "Stops VMs.",
      "Sets spec.running=false and waits until they are down; persistent disks are kept."
    })
public final class StopCommand extends BaseCommand {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @ArgGroup(exclusive = true, multiplicity = "1")
  VmSelection selection;

  @Override
  public Integer call() {
    try (Cluster cluster = connect()) {
      Sandboxes sandboxes = new Sandboxes(cluster, progress());
      List<String> names = selection.resolve(sandboxes);
      names.forEach(name -> sandboxes.setRunning(name, false));
      sandboxes.awaitStopped(names, TIMEOUT);
      printStates(names.stream().map(sandboxes::get).map(VmView::of).toList());
      return 0;
    }
  }
}
