package dev.era.cli.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One command line as {@code era-client} sends it: the arguments, the client's working directory
 * and environment, and whether it runs at a terminal. Big-endian: the magic {@code ERA1}, then
 * {@code argc} and each argument, the working directory, {@code envc} and each {@code NAME=value},
 * each string as a 32-bit length and its UTF-8 bytes, then one byte of flags (bit 0: interactive).
 */
record CommandRequest(List<String> args, Path cwd, Map<String, String> env, boolean interactive) {
  static final int MAGIC = 0x45524131;

  /** Beyond these a request is no command line (a confused or hostile client). */
  private static final int MAX_STRINGS = 10_000;

  private static final int MAX_STRING_BYTES = 1 << 20;

  static CommandRequest read(DataInputStream in) throws IOException {
    if (in.readInt() != MAGIC) {
      throw new IOException("not an era-client request");
    }
    List<String> args = strings(in);
    Path cwd = Path.of(string(in));
    if (!cwd.isAbsolute()) {
      throw new IOException("the working directory is not absolute: " + cwd);
    }
    Map<String, String> env = new HashMap<>();
    for (String entry : strings(in)) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    boolean interactive = (in.readUnsignedByte() & 1) != 0;
    return new CommandRequest(args, cwd, env, interactive);
  }

  private static List<String> strings(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > MAX_STRINGS) {
      throw new IOException("a request with " + count + " strings");
    }
    List<String> strings = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      strings.add(string(in));
    }
    return strings;
  }

  private static String string(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_STRING_BYTES) {
      throw new IOException("a request string of " + length + " bytes");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
