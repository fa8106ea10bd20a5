package dev.era.cli.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What the daemon tells {@code era up}, {@code era status} and the other commands, through {@link
 * EraPaths#infoFile()}: how far its start got, then where its API server and kubeconfig are.
 *
 * @param pid the daemon's process id; a file from another pid is stale
 * @param phase starting, ready or failed
 * @param message the current start step, or why the start failed
 */
public record DaemonInfo(
    long pid,
    Phase phase,
    String message,
    String apiUrl,
    String kubeconfig,
    String node,
    String startedAt) {

  public enum Phase {
    starting,
    ready,
    failed
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public static Optional<DaemonInfo> read(Path file) {
    try {
      return Optional.of(MAPPER.readValue(file.toFile(), DaemonInfo.class));
    } catch (IOException e) {
      // Absent, or caught half-written by a writer without atomic moves: "not known yet".
      return Optional.empty();
    }
  }

  /** Replaces the file atomically, so that readers never see half of it. */
  public void write(Path file) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    MAPPER.writeValue(temp.toFile(), this);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public DaemonInfo with(Phase newPhase, String newMessage) {
    return new DaemonInfo(pid, newPhase, newMessage, apiUrl, kubeconfig, node, startedAt);
  }
}
