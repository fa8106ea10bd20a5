package dev.era.launcher.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** QMP commands from tests, as an operator would send them to a VM's monitor socket with socat. */
public final class TestQmp {
  private TestQmp() {}

  /** Runs an argument-less command and returns its {@code return} value. */
  public static JsonNode execute(Path socket, String command) throws IOException {
    return Qmp.execute(socket, command, Duration.ofSeconds(5));
  }
}
