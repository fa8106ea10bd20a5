package dev.era.launcher.guest;

/**
 * Text the guest sent (error messages, its agent's name): hostile input that ends up in logs,
 * status messages and events, so it is cut to a size those can carry before it goes anywhere.
 */
final class GuestText {
  static final int MAX_CHARS = 512;

  private GuestText() {}

  static String cut(String text) {
    return text.length() <= MAX_CHARS
        ? text
        : text.substring(0, MAX_CHARS)
            + "… ("
            + (text.length() - MAX_CHARS)
            + " more characters cut)";
  }
}
