package dev.era.cli.commands;

import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.Sandboxes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code era clean}: VMs removed, with everything they left on their node. */
@Command(
    name = "clean",
    mixinStandardHelpOptions = true,
    description = {
      "Removes VMs.",
      "Deletes them and waits until their node has torn them down, persistent disks included"
          + " unless --keep-persist is given."
    })
public final class CleanCommand extends BaseCommand {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @ArgGroup(exclusive = true, multiplicity = "1")
  VmSelection selection;

  @Option(
      names = "--keep-persist",
      description =
          "Keep the persistent disks on their nodes: a VM created again there with the same name and"
              + " --persist mounts its disk on /work again.")
  boolean keepPersist;

  @Override
  public Integer call() {
    try (Cluster cluster = connect()) {
      Sandboxes sandboxes = new Sandboxes(cluster, progress());
      List<String> names = selection.resolve(sandboxes);
      if (keepPersist) {
        names.forEach(sandboxes::keepPersistentDisk);
      }
      names.forEach(sandboxes::delete);
      sandboxes.awaitGone(names, TIMEOUT);
      if (json()) {
        printJson(Map.of("removed", names));
      } else if (names.isEmpty()) {
        out().println("No VMs.");
      } else {
        names.forEach(name -> out().println(name + ": removed"));
      }
      return 0;
    }
  }
}
