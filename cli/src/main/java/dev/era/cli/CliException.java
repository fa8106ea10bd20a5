package dev.era.cli;

/**
 * A failure the user can act on. It is printed as one line, {@code era: <problem> (hint: <hint>)},
 * never as a stack trace (unless {@code --debug}).
 */
public class CliException extends RuntimeException {
  private final String hint;
  private final int exitCode;

  public CliException(String problem, String hint) {
    this(problem, hint, ExitCodes.ERROR, null);
  }

  public CliException(String problem, String hint, Throwable cause) {
    this(problem, hint, ExitCodes.ERROR, cause);
  }

  public CliException(String problem, String hint, int exitCode, Throwable cause) {
    super(problem, cause);
    this.hint = hint;
    this.exitCode = exitCode;
  }

  public String hint() {
    return hint;
  }

  public int exitCode() {
    return exitCode;
  }
}
