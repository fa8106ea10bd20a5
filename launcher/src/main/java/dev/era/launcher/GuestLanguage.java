package dev.era.launcher;

import java.util.Locale;

/** The guest images ERA builds. Each maps to one read-only root filesystem. */
public enum GuestLanguage {
  PYTHON("python3", "python3 -c pass"),
  NODE("nodejs", "node -e 0");

  private final String debianPackage;
  private final String warmUpCommand;

  GuestLanguage(String debianPackage, String warmUpCommand) {
    this.debianPackage = debianPackage;
    this.warmUpCommand = warmUpCommand;
  }

  /**
   * A shell command that starts the language's interpreter and does nothing: run once in a guest
   * that waits for work (a warm pool's), it spares the first real command the loading of the
   * interpreter, which a restored guest has never read and which TCG translates once per guest.
   */
  public String warmUpCommand() {
    return warmUpCommand;
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
