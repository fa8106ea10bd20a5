package dev.era.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr, {@code era: <problem> (hint: <what to do>)}, and an
 * exit code; the stack trace follows only with {@code --debug}.
 */
public final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
  static final String DEBUG_OPTION = "--debug";

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String help = "see `" + command.getCommandSpec().qualifiedName() + " --help`";
    report(
        command.getErr(),
        new CliException(usageProblem(e.getMessage()), help, ExitCodes.USAGE, e),
        Arrays.asList(args).contains(DEBUG_OPTION));
    return ExitCodes.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
    CliException failure = describe(e);
    ParseResult own = command.getParseResult();
    report(command.getErr(), failure, own != null && own.hasMatchedOption(DEBUG_OPTION));
    return failure.exitCode();
  }

  public static String line(String problem, String hint) {
    return "era: " + oneLine(problem) + " (hint: " + oneLine(hint) + ")";
  }

  /** picocli's message, as the rest of ERA's: no "Error: " prefix, lower-case start. */
  private static String usageProblem(String message) {
    String problem =
        message == null ? "invalid command line" : message.replaceFirst("^Error: ", "");
    return problem.length() > 1 && Character.isLowerCase(problem.charAt(1))
        ? Character.toLowerCase(problem.charAt(0)) + problem.substring(1)
        : problem;
  }

  /** What an unexpected exception means to a user. */
  static CliException describe(Throwable e) {
    if (e instanceof CliException cli) {
      return cli;
    }
    if (e instanceof KubernetesClientException k) {
      if (hasCause(k, ConnectException.class)) {
        return new CliException(
            "cannot reach the Kubernetes API: " + rootMessage(k),
            "check that the control plane runs (`era status`), or KUBECONFIG if it names a cluster",
            k);
      }
      String message =
          k.getStatus() != null && k.getStatus().getMessage() != null
              ? k.getStatus().getMessage()
              : rootMessage(k);
      return new CliException(
          "the Kubernetes API refused the request: " + message,
          "rerun with --debug for details",
          k);
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof IOException) {
      return new CliException(message, "rerun with --debug for details", e);
    }
    return new CliException(
        "unexpected error: " + message,
        "rerun with --debug for the stack trace, and report it if it persists",
        e);
  }

  private static void report(PrintWriter err, CliException failure, boolean debug) {
    err.println(line(failure.getMessage(), failure.hint()));
    if (debug && failure.getCause() != null) {
      failure.getCause().printStackTrace(err);
    }
    err.flush();
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
