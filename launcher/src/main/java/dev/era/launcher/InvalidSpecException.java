package dev.era.launcher;

/** A request that can never succeed as given; the message tells the user what to change. */
public class InvalidSpecException extends LaunchException {
  public InvalidSpecException(String message) {
    super(message);
  }
}
