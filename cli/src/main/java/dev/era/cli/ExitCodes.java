package dev.era.cli;

/** Exit codes of {@code era} itself; {@code era run} exits with the command's own code instead. */
public final class ExitCodes {
  public static final int OK = 0;

  /** Something failed: the one-line message says what. */
  public static final int ERROR = 1;

  /** Invalid command line: unknown option, bad flag value. */
  public static final int USAGE = 2;

  /** {@code era status}: the control plane is not running (as LSB init scripts say it). */
  public static final int NOT_RUNNING = 3;

  /** The command ran past {@code --timeout}; the same code as coreutils' timeout(1). */
  public static final int TIMED_OUT = 124;

  private ExitCodes() {}
}
