package dev.era.cli.commands;

import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.Sandboxes;
import java.util.List;
import picocli.CommandLine.ArgGroup;

/** What stop, start and clean share: the VMs that {@code --vm} or {@code --all} selects. */
abstract class SelectedVmsCommand extends BaseCommand {
  @ArgGroup(exclusive = true, multiplicity = "1")
  VmSelection selection;

  @Override
  public final Integer call() {
    Cluster cluster = connect();
    Sandboxes sandboxes = new Sandboxes(cluster, progress());
    actOn(selection.resolve(sandboxes), sandboxes);
    return 0;
  }

  /** Acts on the selected VMs, waits until they have changed, and prints the outcome. */
  abstract void actOn(List<String> names, Sandboxes sandboxes);
}
