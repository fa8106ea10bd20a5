package dev.era.cli.commands;

import dev.era.cli.cluster.Sandboxes;
import dev.era.cli.cluster.VmView;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code era start}: stopped VMs up again, with their persistent disks. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {"Starts stopped VMs.", "Sets spec.running=true and waits until they run again."})
public final class StartCommand extends SelectedVmsCommand {
  @Override
  void actOn(List<String> names, Sandboxes sandboxes) {
    names.forEach(name -> sandboxes.setRunning(name, true));
    List<VmView> started = new ArrayList<>();
    for (String name : names) {
      started.add(VmView.of(sandboxes.awaitRunning(name, CreateCommand.BOOT_TIMEOUT)));
    }
    printStates(started);
  }
}
