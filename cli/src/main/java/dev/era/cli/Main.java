package dev.era.cli;

/**
 * The {@code era} command: {@code java -jar era.jar <command>}, started by the {@code ./era}
 * script.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(CliContext.system(), args));
  }

  /** Runs one command line and returns its exit code; never throws and never calls System.exit. */
  public static int run(CliContext context, String... args) {
    return EraCommand.commandLine(context, args).execute(args);
  }
}
