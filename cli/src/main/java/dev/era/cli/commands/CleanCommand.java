package dev.era.cli.commands;

import dev.era.cli.cluster.Sandboxes;
import java.util.List;
import java.util.Map;
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
public final class CleanCommand extends SelectedVmsCommand {
  @Option(
      names = "--keep-persist",
      description =
          "Keep the persistent disks on their nodes: a VM created again there with the same name and"
              + " --persist mounts its disk on /work again.")
  boolean keepPersist;

  @Override
  void actOn(List<String> names, Sandboxes sandboxes) {
    if (keepPersist) {
      names.forEach(sandboxes::keepPersistentDisk);
    }
    names.forEach(sandboxes::delete);
    sandboxes.awaitGone(names, TEARDOWN_TIMEOUT);
    if (json()) {
      printJson(Map.of("removed", names));
    } else if (names.isEmpty()) {
      out().println("No VMs.");
    } else {
      names.forEach(name -> out().println(name + ": removed"));
    }
  }
}
