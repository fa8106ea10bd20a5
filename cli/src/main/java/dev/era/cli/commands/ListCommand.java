package dev.era.cli.commands;

import dev.era.api.EraVMPhase;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.Sandboxes;
import dev.era.cli.cluster.VmView;
import dev.era.cli.output.Age;
import dev.era.cli.output.Table;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code era list}: the VMs, optionally in one phase. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the VMs.")
public final class ListCommand extends BaseCommand {
  @Option(
      names = "--status",
      paramLabel = "PHASE",
      description = "Only VMs in this phase: ${COMPLETION-CANDIDATES}.")
  EraVMPhase status;

  @Override
  public Integer call() {
    Cluster cluster = connect();
    List<VmView> vms =
        new Sandboxes(cluster, progress())
            .list().stream()
                .filter(vm -> status == null || vm.getStatus().getPhase() == status)
                .map(VmView::of)
                .toList();
    if (json()) {
      printJson(vms);
    } else if (vms.isEmpty()) {
      out().println(status == null ? "No VMs." : "No VMs are " + status + ".");
    } else {
      Instant now = Instant.now();
      Table table =
          new Table(
              "NAME", "LANGUAGE", "PHASE", "NODE", "CPU", "MEMORY", "NETWORK", "PERSIST", "AGE");
      vms.forEach(
          vm ->
              table.row(
                  vm.name(),
                  vm.language(),
                  vm.phase(),
                  vm.node(),
                  vm.cpu(),
                  vm.memory(),
                  vm.network(),
                  vm.persist(),
                  Age.since(vm.createdAt(), now)));
      table.print(out());
    }
    return 0;
  }
}
