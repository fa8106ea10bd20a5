package dev.era.cli;

import dev.era.cli.commands.CleanCommand;
import dev.era.cli.commands.CreateCommand;
import dev.era.cli.commands.DaemonCommand;
import dev.era.cli.commands.DownCommand;
import dev.era.cli.commands.ListCommand;
import dev.era.cli.commands.LogsCommand;
import dev.era.cli.commands.PoolCommand;
import dev.era.cli.commands.RunCommand;
import dev.era.cli.commands.StartCommand;
import dev.era.cli.commands.StatusCommand;
import dev.era.cli.commands.StopCommand;
import dev.era.cli.commands.TempCommand;
import dev.era.cli.commands.UpCommand;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.Spec;

/** The top-level {@code era} command; each subcommand is its own class. */
@Command(
    name = "era",
    mixinStandardHelpOptions = true,
    versionProvider = EraCommand.Version.class,
    description = {
      "Runs untrusted code in microVMs, the Kubernetes way.",
      "Works against the cluster KUBECONFIG names, else the embedded control plane (`era up`)."
    })
public final class EraCommand implements Callable<Integer> {
  /** The subcommands, in the order of {@code era --help}. */
  private static final List<Class<?>> SUBCOMMANDS =
      List.of(
          UpCommand.class,
          DownCommand.class,
          StatusCommand.class,
          CreateCommand.class,
          RunCommand.class,
          TempCommand.class,
          ListCommand.class,
          StopCommand.class,
          StartCommand.class,
          CleanCommand.class,
          LogsCommand.class,
          PoolCommand.class,
          DaemonCommand.class);

  private final CliContext context;

  @Spec private CommandSpec spec;

  private EraCommand(CliContext context) {
    this.context = context;
  }

  public CliContext context() {
    return context;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing a command");
  }

  /**
   * The command line with ERA's error handling, ready to {@code execute(args)}. picocli builds its
   * model of a command by reflection, which is most of a short command's start-up; so when {@code
   * args} start with a subcommand's name, only that subcommand is added (its help, options and
   * errors are the same), and all of them otherwise ({@code era --help}, a mistyped name).
   */
  static CommandLine commandLine(CliContext context, String... args) {
    CommandLine commandLine = new CommandLine(new EraCommand(context));
    List<Class<?>> named =
        SUBCOMMANDS.stream()
            .filter(c -> args.length > 0 && c.getAnnotation(Command.class).name().equals(args[0]))
            .toList();
    (named.isEmpty() ? SUBCOMMANDS : named).forEach(commandLine::addSubcommand);
    commandLine.setOut(writer(context.out()));
    commandLine.setErr(writer(context.err()));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.registerConverter(Path.class, p -> context.cwd().resolve(p));
    ErrorReporter reporter = new ErrorReporter();
    commandLine.setExecutionExceptionHandler(reporter);
    commandLine.setParameterExceptionHandler(reporter);
    commandLine.setExecutionStrategy(
        parseResult -> {
          Logging.forCommand(debugRequested(parseResult));
          return new RunLast().execute(parseResult);
        });
    return commandLine;
  }

  private static boolean debugRequested(ParseResult parseResult) {
    for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption(ErrorReporter.DEBUG_OPTION)) {
        return true;
      }
    }
    return false;
  }

  private static PrintWriter writer(PrintStream stream) {
    return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
  }

  /** The version the shaded jar's manifest carries. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = EraCommand.class.getPackage().getImplementationVersion();
      return new String[] {"era " + (version == null ? "(development build)" : version)};
    }
  }
}
