package dev.era.launcher.qemu;

import dev.era.launcher.InvalidSpecException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Where one VM's runtime files live: {@code <stateDir>/vms/<id>/}. */
public record VmPaths(Path dir) {
  /** sun_path holds 108 bytes including the terminating NUL. */
  static final int MAX_SOCKET_PATH = 107;

  public static VmPaths of(Path stateDir, String id) {
    return new VmPaths(vmsDir(stateDir).resolve(id).toAbsolutePath().normalize());
  }

  public static Path vmsDir(Path stateDir) {
    return stateDir.resolve("vms");
  }

  public Path stateFile() {
    return dir.resolve("state.json");
  }

  public Path agentSocket() {
    return dir.resolve("agent.sock");
  }

  public Path qmpSocket() {
    return dir.resolve("qmp.sock");
  }

  public Path consoleLog() {
    return dir.resolve("console.log");
  }

  /** QEMU's own stdout and stderr: its error messages when it fails to start. */
  public Path qemuLog() {
    return dir.resolve("qemu.log");
  }

  /**
   * The name of the VM's cgroup: unique per directory, so that launchers with different state dirs
   * on one host never share one.
   */
  public String cgroupName() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(dir.toString().getBytes(StandardCharsets.UTF_8));
      return "vm-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Tells the VM's QEMU from a recycled pid: its command line holds it (the directory QEMU was
   * started in), or its working directory is the VM's directory (see {@link
   * dev.era.launcher.host.ProcFs#runs}).
   */
  public String marker() {
    return dir + "/";
  }

  /** Unix socket paths are short; a deep state dir or a long id does not fit. */
  public void checkSocketPathLength() {
    for (Path socket : new Path[] {agentSocket(), qmpSocket()}) {
      int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
      if (length > MAX_SOCKET_PATH) {
        throw new InvalidSpecException(
            "the socket path "
                + socket
                + " is "
                + length
                + " bytes, more than the "
                + MAX_SOCKET_PATH
                + " a Unix socket allows: use a shorter VM id or a shorter state directory");
      }
    }
  }
}
