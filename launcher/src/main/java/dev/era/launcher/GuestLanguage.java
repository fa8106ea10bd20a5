package dev.era.launcher;

import java.util.Locale;

/** The guest images ERA builds. Each maps to one read-only root filesystem. */
public enum GuestLanguage {
  PYTHON("python3"),
  NODE("nodejs");

  private final String debianPackage;

  GuestLanguage(String debianPackage) {
    this.debianPackage = debianPackage;
  }

  /** The Debian package that the image is built around. */
  public String debianPackage() {
    return debianPackage;
  }

  /** Parses a user-facing name ({@code python}, {@code node}); the message lists what is known. */
  public static GuestLanguage parse(String name) {
    for (GuestLanguage language : values()) {
      if (language.name().equalsIgnoreCase(name) || language.debianPackage.equalsIgnoreCase(name)) {
        return language;
      }
    }
    throw new InvalidSpecException(
        "unknown language or image '"
            + name
            + "': use one of "
            + java.util.Arrays.stream(values())
                .map(l -> l.name().toLowerCase(Locale.ROOT))
                .toList());
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
