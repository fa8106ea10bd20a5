package dev.era.cli.commands;

import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.Pools;
import dev.era.cli.cluster.Sandboxes;
import dev.era.cli.cluster.VmView;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code era create}: a new VM, waited for until it runs. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = {"Creates a VM.", "Creates an EraVM and waits until it has booted."})
public final class CreateCommand extends BaseCommand {
  /** A node may have to build the guest image first (minutes); a cached one boots in seconds. */
  static final Duration BOOT_TIMEOUT = Duration.ofMinutes(15);

  @Mixin VmOptions vm;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      converter = FlagConverters.VmName.class,
      description = "The VM's name. Default: the language and a random suffix.")
  String name;

  @Override
  public Integer call() {
    String vmName = name != null ? name : vm.defaultName();
    Cluster cluster = connect();
    Sandboxes sandboxes = new Sandboxes(cluster, progress());
    sandboxes.create(vm.toVm(vmName, new Pools(cluster)::template));
    VmView running = VmView.of(sandboxes.awaitRunning(vmName, BOOT_TIMEOUT));
    if (json()) {
      printJson(running);
    } else {
      out()
          .println(
              "VM "
                  + vmName
                  + " is running on node "
                  + running.node()
                  + " ("
                  + describe(running)
                  + ").");
      out().println("Run a command in it: era run --vm " + vmName + " --cmd '...'");
    }
    return 0;
  }

  static String describe(VmView vm) {
    return shape(vm.language(), vm.cpu(), vm.memory(), vm.network())
        + (vm.persist() == null ? "" : ", persistent disk " + vm.persist());
  }

  /** A VM's or a pool template's language, size and network, as both commands print them. */
  static String shape(Object language, Object cpu, Object memory, Object network) {
    return language + ", " + cpu + " vCPU, " + memory + ", network " + network;
  }
}
