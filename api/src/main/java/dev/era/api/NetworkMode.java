package dev.era.api;

import java.util.Arrays;
import java.util.Optional;

/** Guest network access; constant names are the API values. */
public enum NetworkMode {
  /** No network device at all. */
  none,
  /**
   * Meant for outbound connections to spec.egressAllow only. Not enforced yet: such a VM boots with
   * no network at all and reports condition Network=False (EgressUnsupported).
   */
  egress,
  /** Unrestricted outbound access. */
  full;

  /** The constant whose name is {@code value}, if any. */
  public static Optional<NetworkMode> parse(String value) {
    return Arrays.stream(values()).filter(c -> c.name().equals(value)).findFirst();
  }
}
