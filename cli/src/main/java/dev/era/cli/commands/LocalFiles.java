package dev.era.cli.commands;

import dev.era.api.RunFile;
import dev.era.cli.CliException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Local files turned into EraRun files: text as is, anything else base64, under their own names.
 */
final class LocalFiles {
  /** The files travel inside the EraRun object, and API servers cap an object at about 1.5 MB. */
  static final long MAX_TOTAL_BYTES = 1024 * 1024;

  private static final int EXECUTABLE = 0755;

  private LocalFiles() {}

  static List<RunFile> read(List<Path> paths) {
    List<RunFile> files = new ArrayList<>();
    Map<String, Path> byName = new HashMap<>();
    long total = 0;
    for (Path path : paths) {
      if (!Files.isRegularFile(path)) {
        throw new CliException("file not found: " + path, "check the path given to --file");
      }
      String name = path.getFileName().toString();
      Path previous = byName.putIfAbsent(name, path);
      if (previous != null) {
        throw new CliException(
            "--file " + previous + " and --file " + path + " would both be " + name,
            "rename one of them");
      }
      byte[] bytes = readAll(path);
      total += bytes.length;
      if (total > MAX_TOTAL_BYTES) {
        throw new CliException(
            "the files given to --file are larger than 1 MiB together",
            "use a VM with --persist and copy large data in smaller runs");
      }
      files.add(toRunFile(name, bytes, Files.isExecutable(path)));
    }
    return files;
  }

  private static RunFile toRunFile(String name, byte[] bytes, boolean executable) {
    RunFile file = new RunFile();
    file.setPath(name);
    String text = utf8(bytes);
    if (text != null) {
      file.setContent(text);
    } else {
      file.setContentBase64(Base64.getEncoder().encodeToString(bytes));
    }
    file.setMode(executable ? EXECUTABLE : RunFile.DEFAULT_MODE);
    return file;
  }

  private static byte[] readAll(Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new CliException(
          "cannot read " + path + ": " + e.getMessage(), "check the file's permissions", e);
    }
  }

  /** The text, or null when the bytes are not valid UTF-8. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
