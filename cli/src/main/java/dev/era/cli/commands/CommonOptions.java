package dev.era.cli.commands;

import picocli.CommandLine.Option;

/** Options every command takes. */
public final class CommonOptions {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "Output format: ${COMPLETION-CANDIDATES} (for programs). Default: ${DEFAULT-VALUE}.")
  OutputFormat output;

  @Option(names = "--debug", description = "Show stack traces and library logs.")
  boolean debug;
}
