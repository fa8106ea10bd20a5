package dev.era.cli.daemon;

import dev.era.launcher.host.XdgDirs;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the embedded control plane keeps its files. The state directory is the launcher's too
 * ({@code vms/}, {@code disks/}); the daemon's own files live in {@code control-plane/} under it.
 *
 * @param stateDir {@code $XDG_STATE_HOME/era}, else {@code $HOME/.local/state/era}
 * @param configDir {@code $XDG_CONFIG_HOME/era}, else {@code $HOME/.config/era}
 */
public record EraPaths(Path stateDir, Path configDir) {

  public static EraPaths from(Map<String, String> env, String userHome) {
    XdgDirs xdg = XdgDirs.of(env, userHome);
    return new EraPaths(xdg.stateHome().resolve("era"), xdg.configHome().resolve("era"));
  }

  public Path controlPlaneDir() {
    return stateDir.resolve("control-plane");
  }

  /** The daemon's pid; present while it runs. */
  public Path pidFile() {
    return controlPlaneDir().resolve("daemon.pid");
  }

  /** Held locked by the running daemon, so that a second one refuses to start. */
  public Path lockFile() {
    return controlPlaneDir().resolve("daemon.lock");
  }

  /** The daemon's stdout and stderr, rewritten on every start. */
  public Path logFile() {
    return controlPlaneDir().resolve("daemon.log");
  }

  /** {@link DaemonInfo}: how far the daemon got, and where to reach it. */
  public Path infoFile() {
    return controlPlaneDir().resolve("daemon.json");
  }

  /** Every API object, saved on shutdown and restored on start. */
  public Path objectsFile() {
    return controlPlaneDir().resolve("objects.json");
  }

  /**
   * The API server's CA, serving certificate and bearer tokens, kept across restarts; deleting it
   * makes new ones at the next start.
   */
  public Path credentialsDir() {
    return controlPlaneDir().resolve("credentials");
  }

  /** For kubectl and the CLI; present while the daemon runs. */
  public Path kubeconfig() {
    return configDir.resolve("kubeconfig");
  }
}
