package dev.era.cli.commands;

import dev.era.api.EraRunSpec;
import dev.era.api.RunFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What to run: {@code era run} and {@code era temp}. */
public final class RunOptions {
  @Option(
      names = "--cmd",
      required = true,
      paramLabel = "COMMAND",
      description = "Shell command (sh -c), run in the work directory as an unprivileged user.")
  String command;

  @Option(
      names = "--file",
      paramLabel = "PATH",
      description =
          "A local file to copy into the work directory first, under its own name (repeatable).")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "" + EraRunSpec.DEFAULT_TIMEOUT_SECONDS,
      converter = FlagConverters.TimeoutSeconds.class,
      description =
          "Kill the command after this long, 1-86400; era then exits with 124. Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  /** The files, read now: a missing one is an error before anything is created. */
  List<RunFile> runFiles() {
    return LocalFiles.read(files);
  }
}
