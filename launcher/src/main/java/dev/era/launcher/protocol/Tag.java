package dev.era.launcher.protocol;

/** Field tags of guest protocol version 2 (docs/guest-protocol.md). */
public enum Tag {
  VERSION(1),
  AGENT(2),
  ARGV(3),
  SHELL(4),
  ENV(5),
  CWD(6),
  STDIN(7),
  TIMEOUT_MS(8),
  MAX_OUTPUT(9),
  PATH(10),
  MODE(11),
  OFFSET(12),
  DATA(13),
  EXIT_CODE(14),
  SIGNAL(15),
  TIMED_OUT(16),
  STDOUT_TRUNCATED(17),
  STDERR_TRUNCATED(18),
  MESSAGE(19),
  TARGET(20),
  SIZE(21),
  PID(22),
  DURATION_MS(23),
  CODE(24),
  ENTROPY(25),
  TIME_NS(26),
  HOSTNAME(27),
  VM_ID(28);

  private final int code;

  Tag(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
