package dev.era.api;

import java.util.Arrays;
import java.util.Optional;

/** Guest image language; constant names are the API values. */
public enum Language {
  python,
  node;

  /** The constant whose name is {@code value}, if any. */
  public static Optional<Language> parse(String value) {
    return Arrays.stream(values()).filter(c -> c.name().equals(value)).findFirst();
  }
}
