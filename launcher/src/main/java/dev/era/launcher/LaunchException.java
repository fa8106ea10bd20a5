package dev.era.launcher;

/** Something the launcher could not do; the message is meant for a user to act on. */
public class LaunchException extends RuntimeException {
  public LaunchException(String message) {
    super(message);
  }

  public LaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
