package dev.era.cli.commands;

import dev.era.cli.cluster.Sandboxes;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --vm NAME...} or {@code --all}: which VMs stop, start and clean act on. */
public final class VmSelection {
  @Option(
      names = "--vm",
      arity = "1..*",
      paramLabel = "NAME",
      required = true,
      description = "The VMs to act on (several names, or the flag repeated).")
  List<String> names = new ArrayList<>();

  @Option(names = "--all", required = true, description = "Every VM in the namespace.")
  boolean all;

  /** The names of the selected VMs; fails like {@link Sandboxes#select} when one does not exist. */
  List<String> resolve(Sandboxes sandboxes) {
    return sandboxes.select(names, all).stream().map(vm -> vm.getMetadata().getName()).toList();
  }
}
