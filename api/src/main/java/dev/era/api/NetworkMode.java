package dev.era.api;

import java.util.Arrays;
import java.util.Optional;

/** Guest network access; constant names are the API values. */
public enum NetworkMode {
  /** No network device at all. */
  none,
  /**
   * Outbound connections to spec.egressAllow only, through an HTTP proxy that the node agent runs
   * for the VM (HTTP CONNECT and plain-HTTP requests by name; DNS answered for allowed names only);
   * the host's firewall keeps the VM's own sockets off everything but that proxy.
   */
  egress,
  /** Unrestricted outbound access. */
  full;

  /** The constant whose name is {@code value}, if any. */
  public static Optional<NetworkMode> parse(String value) {
    return Arrays.stream(values()).filter(c -> c.name().equals(value)).findFirst();
  }
}
