package dev.era.launcher.guest;

import dev.era.launcher.ExecRequest;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.FrameCodec;
import dev.era.launcher.protocol.MessageType;
import dev.era.launcher.protocol.Tag;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns an {@link ExecRequest} into an EXEC frame, rejecting what the guest could not run as meant.
 */
final class ExecFrames {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Room left in a frame for everything but stdin. */
  private static final int MAX_STDIN = FrameCodec.MAX_PAYLOAD - 64 * 1024;

  private static final long MAX_TIMEOUT_MS = 0xFFFF_FFFFL;

  private ExecFrames() {}

  static Frame exec(int id, ExecRequest request) {
    Frame.Builder frame = Frame.builder(MessageType.EXEC, id);
    if (request.shell() != null) {
      frame.string(Tag.SHELL, noNul("the shell command", request.shell()));
    } else {
      for (String arg : request.argv()) {
        frame.string(Tag.ARGV, noNul("argument '" + arg + "'", arg));
      }
    }
    for (Map.Entry<String, String> e : request.env().entrySet()) {
      if (!ENV_NAME.matcher(e.getKey()).matches()) {
        throw new InvalidSpecException(
            "environment variable name '"
                + e.getKey()
                + "' is invalid: use letters, digits and '_', not starting with a digit");
      }
      frame.string(Tag.ENV, e.getKey() + "=" + noNul("the value of " + e.getKey(), e.getValue()));
    }
    if (request.workingDir() != null) {
      frame.string(Tag.CWD, noNul("the working directory", request.workingDir()));
    }
    if (request.stdin() != null) {
      if (request.stdin().length > MAX_STDIN) {
        throw new InvalidSpecException(
            "stdin of "
                + request.stdin().length
                + " bytes is more than the "
                + MAX_STDIN
                + " bytes one request carries: put the input in a file (putFile) and redirect it");
      }
      frame.bytes(Tag.STDIN, request.stdin());
    }
    frame.u32(Tag.TIMEOUT_MS, timeoutMillis(request.timeout()));
    frame.u32(Tag.MAX_OUTPUT, request.maxOutput());
    Frame built = frame.build();
    if (built.payloadSize() > FrameCodec.MAX_PAYLOAD) {
      throw new InvalidSpecException(
          "the command and its environment take "
              + built.payloadSize()
              + " bytes, more than the "
              + FrameCodec.MAX_PAYLOAD
              + " bytes one request carries: move data into files");
    }
    return built;
  }

  static long timeoutMillis(Duration timeout) {
    if (timeout == null) {
      return 0;
    }
    if (timeout.isNegative()) {
      throw new InvalidSpecException("timeout must not be negative, got " + timeout);
    }
    long ms = timeout.toMillis();
    if (ms > MAX_TIMEOUT_MS) {
      throw new InvalidSpecException(
          "timeout " + timeout + " is too long: at most " + Duration.ofMillis(MAX_TIMEOUT_MS));
    }
    if (ms == 0 && !timeout.isZero()) {
      return 1;
    }
    return ms;
  }

  private static String noNul(String what, String value) {
    if (value.indexOf('\0') >= 0) {
      throw new InvalidSpecException(
          what + " contains a NUL character, which a command line cannot carry");
    }
    return value;
  }
}
