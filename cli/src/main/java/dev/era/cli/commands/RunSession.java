package dev.era.cli.commands;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.RunFile;
import dev.era.cli.CliContext;
import dev.era.cli.CliException;
import dev.era.cli.ErrorReporter;
import dev.era.cli.ExitCodes;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.RunOutput;
import dev.era.cli.cluster.RunView;
import dev.era.cli.cluster.Runs;
import dev.era.cli.output.JsonOutput;
import dev.era.cli.output.Progress;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One command in a running VM, as {@code era run} and {@code era temp} do it: submit an EraRun,
 * stream its output (or print it as JSON at the end), and exit with the command's exit code.
 */
final class RunSession {
  private final Runs runs;
  private final RunOutput output;
  private final CliContext context;
  private final Progress progress;
  private final boolean json;

  RunSession(Cluster cluster, CliContext context, Progress progress, boolean json) {
    this.runs = new Runs(cluster);
    this.output = new RunOutput(cluster);
    this.context = context;
    this.progress = progress;
    this.json = json;
  }

  int run(String vm, RunOptions options, List<RunFile> files) {
    EraRun submitted = runs.submit(vm, options.command, files, options.timeoutSeconds);
    String name = submitted.getMetadata().getName();
    progress.step("run " + name + " on VM " + vm);
    try {
      return follow(name, options);
    } catch (CliException e) {
      // A program reading -o json gets the run's document whenever the run exists; the error line
      // and exit code stay.
      if (json) {
        runs.find(name)
            .ifPresent(run -> JsonOutput.print(context.out(), RunView.of(run, output.read(run))));
      }
      throw e;
    }
  }

  private int follow(String name, RunOptions options) {
    EraRun started = runs.awaitStarted(name);
    RunOutput.Streamed streamed =
        json ? RunOutput.Streamed.NONE : output.follow(started, context.out(), context.err());
    EraRun done = runs.awaitFinished(name, options.timeoutSeconds);
    if (done.getStatus().getPhase() == EraRunPhase.Failed
        && done.getStatus().getExitCode() == null) {
      throw Runs.notRun(done);
    }
    if (json) {
      JsonOutput.print(context.out(), RunView.of(done, output.read(done)));
    } else if (streamed == RunOutput.Streamed.NONE) {
      print(output.read(done), name, context.out(), context.err());
    } else if (streamed == RunOutput.Streamed.PARTIAL) {
      context
          .err()
          .println(
              ErrorReporter.line(
                  "the output stream of run " + name + " broke off",
                  "`era logs " + name + "` shows all of it"));
    } else if (RunOutput.dropped(done)) {
      printDropped(name, context.err());
    }
    return exitCode(done, options.timeoutSeconds);
  }

  /** Prints output read after the run, with a note when it is only the tail. */
  static void print(RunOutput.Logs logs, String run, PrintStream out, PrintStream err) {
    out.writeBytes(logs.stdout().getBytes(StandardCharsets.UTF_8));
    out.flush();
    err.writeBytes(logs.stderr().getBytes(StandardCharsets.UTF_8));
    if (logs.dropped()) {
      printDropped(run, err);
    } else if (logs.tailsOnly()) {
      err.println(
          ErrorReporter.line(
              "only the end of run " + run + "'s output is shown",
              "the node agent keeps all of it on the node, and cannot be reached from here"));
    }
    err.flush();
  }

  private static void printDropped(String run, PrintStream err) {
    err.println(
        ErrorReporter.line(
            "run " + run + " wrote more output than the node keeps; the rest was dropped",
            "write large results to a file and read it with a second command, or raise the node agent's "
                + "era.agent.run-log-max-bytes"));
  }

  private int exitCode(EraRun done, int timeoutSeconds) {
    if (done.getStatus().getPhase() == EraRunPhase.TimedOut) {
      if (!json) {
        context
            .err()
            .println(
                ErrorReporter.line(
                    "run "
                        + done.getMetadata().getName()
                        + " timed out after "
                        + timeoutSeconds
                        + " s and was killed",
                    "give it more time with --timeout"));
      }
      return ExitCodes.TIMED_OUT;
    }
    Integer exitCode = done.getStatus().getExitCode();
    return exitCode == null ? ExitCodes.OK : exitCode;
  }
}
