package dev.era.nodeagent.run;

/** A file of a run could not be read or written; the message says which and why. */
final class StagingException extends Exception {
  StagingException(String message) {
    super(message);
  }
}
