package dev.era.cli.commands;

import dev.era.api.RunFile;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.Names;
import dev.era.cli.cluster.Pools;
import dev.era.cli.cluster.Sandboxes;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code era temp}: a throwaway VM for one command. */
@Command(
    name = "temp",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a command in a throwaway VM.",
      "Creates a VM, runs one command in it like `era run`, and removes the VM again (also on "
          + "failure or Ctrl-C). Exits with the command's exit code."
    })
public final class TempCommand extends BaseCommand {
  @Mixin VmOptions vm;

  @Mixin RunOptions run;

  @Override
  public Integer call() {
    List<RunFile> files = run.runFiles();
    String name = Names.withSuffix("temp");
    Cluster cluster = connect();
    Sandboxes sandboxes = new Sandboxes(cluster, progress());
    sandboxes.create(vm.toVm(name, new Pools(cluster)::template));
    Thread onInterrupt = new Thread(() -> sandboxes.delete(name), "era-temp-cleanup");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    int exitCode;
    try {
      sandboxes.awaitRunning(name, CreateCommand.BOOT_TIMEOUT);
      exitCode = new RunSession(cluster, context(), progress(), json()).run(name, run, files);
    } catch (RuntimeException e) {
      // Interrupted (Ctrl-C through the command server): the removal must not be cut short too.
      boolean interrupted = Thread.interrupted();
      try {
        remove(sandboxes, name, onInterrupt);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      throw e;
    }
    remove(sandboxes, name, onInterrupt);
    return exitCode;
  }

  private static void remove(Sandboxes sandboxes, String name, Thread onInterrupt) {
    Runtime.getRuntime().removeShutdownHook(onInterrupt);
    sandboxes.delete(name);
    sandboxes.awaitGone(List.of(name), TEARDOWN_TIMEOUT);
  }
}
