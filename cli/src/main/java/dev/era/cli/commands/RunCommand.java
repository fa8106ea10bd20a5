package dev.era.cli.commands;

import dev.era.api.RunFile;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.Sandboxes;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code era run}: a command in a running VM; era exits with the command's exit code. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a command in a VM and exits with its exit code.",
      "Copies local files in first, streams the output, and exits with 124 when --timeout "
          + "killed the command."
    })
public final class RunCommand extends BaseCommand {
  @Option(names = "--vm", required = true, paramLabel = "NAME", description = "The VM to run in.")
  String vm;

  @Mixin RunOptions run;

  @Override
  public Integer call() {
    List<RunFile> files = run.runFiles();
    Cluster cluster = connect();
    new Sandboxes(cluster, progress()).requireRunning(vm);
    return new RunSession(cluster, context(), progress(), json()).run(vm, run, files);
  }
}
