package dev.era.cli.commands;

import dev.era.cli.cluster.Sandboxes;
import dev.era.cli.cluster.VmView;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code era stop}: VMs down, persistent disks kept. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = {
      "Stops VMs.",
      "Sets spec.running=false and waits until they are down; persistent disks are kept."
    })
public final class StopCommand extends SelectedVmsCommand {
  @Override
  void actOn(List<String> names, Sandboxes sandboxes) {
    names.forEach(name -> sandboxes.setRunning(name, false));
    sandboxes.awaitStopped(names, TEARDOWN_TIMEOUT);
    printStates(names.stream().map(sandboxes::get).map(VmView::of).toList());
  }
}
