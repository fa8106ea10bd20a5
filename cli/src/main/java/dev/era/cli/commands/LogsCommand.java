package dev.era.cli.commands;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.cli.CliException;
import dev.era.cli.ErrorReporter;
import dev.era.cli.ExitCodes;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.RunOutput;
import dev.era.cli.cluster.RunView;
import dev.era.cli.cluster.Runs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code era logs RUN}: a run's output, from its node. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a run's output.",
      "Its stdout and stderr; `era run` names the run when it starts."
    })
public final class LogsCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "RUN", description = "The run's name (an EraRun).")
  String run;

  @Option(
      names = {"-f", "--follow"},
      description = "Wait for the run, and stream its output until it ends.")
  boolean follow;

  @Override
  public Integer call() {
    Cluster cluster = connect();
    Runs runs = new Runs(cluster);
    RunOutput output = new RunOutput(cluster);
    EraRun found = follow ? runs.awaitStarted(run) : runs.get(run);
    if (found.getStatus().getNodeName() == null) {
      if (found.getStatus().getPhase() == EraRunPhase.Failed) {
        throw Runs.notRun(found);
      }
      throw new CliException(
          "run " + run + " has not started yet", "follow it with `era logs -f " + run + "`");
    }
    if (follow) {
      if (!json()) {
        RunOutput.Streamed streamed = output.follow(found, out(), err());
        if (streamed == RunOutput.Streamed.ALL) {
          return ExitCodes.OK;
        }
        if (streamed == RunOutput.Streamed.PARTIAL) {
          err()
              .println(
                  ErrorReporter.line(
                      "the output stream of run " + run + " broke off",
                      "`era logs " + run + "` shows all of it"));
          return ExitCodes.ERROR;
        }
      }
      found = runs.awaitFinished(run, found.getSpec().getTimeoutSeconds());
    }
    RunOutput.Logs logs = output.read(found);
    if (json()) {
      printJson(RunView.of(found, logs));
    } else {
      RunSession.print(logs, run, out(), err());
    }
    return ExitCodes.OK;
  }
}
