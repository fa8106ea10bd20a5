package dev.era.api;

import java.util.Arrays;
import java.util.Optional;

/** What happens to an EraVM when a TTL expires. */
public enum TtlAction {
  /** Condition Expired=True; the node agent stops the VM (persistent disk kept). */
  Stop,
  /** The operator deletes the EraVM. */
  Delete;

  /** The constant whose name is {@code value}, if any. */
  public static Optional<TtlAction> parse(String value) {
    return Arrays.stream(values()).filter(c -> c.name().equals(value)).findFirst();
  }
}
