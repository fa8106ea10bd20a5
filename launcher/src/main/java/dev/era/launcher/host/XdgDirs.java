package dev.era.launcher.host;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The XDG base directories ERA keeps its files under, as the environment says: each {@code
 * $XDG_*_HOME} when set to an absolute path (the specification ignores relative ones), else under
 * {@code $HOME}. Java's {@code user.home} comes from the password file and ignores {@code HOME}, so
 * it is only the fallback when {@code HOME} is unset.
 *
 * @param stateHome {@code $XDG_STATE_HOME}, else {@code $HOME/.local/state}
 * @param configHome {@code $XDG_CONFIG_HOME}, else {@code $HOME/.config}
 * @param cacheHome {@code $XDG_CACHE_HOME}, else {@code $HOME/.cache}
 */
public record XdgDirs(Path stateHome, Path configHome, Path cacheHome) {
  /** This process's directories. */
  public static XdgDirs current() {
    return of(System.getenv(), System.getProperty("user.home"));
  }

  public static XdgDirs of(Map<String, String> env, String userHome) {
    Path home = Path.of(set(env, "HOME").orElse(userHome));
    return new XdgDirs(
        dir(env, "XDG_STATE_HOME", home.resolve(".local/state")),
        dir(env, "XDG_CONFIG_HOME", home.resolve(".config")),
        dir(env, "XDG_CACHE_HOME", home.resolve(".cache")));
  }

  private static Path dir(Map<String, String> env, String variable, Path fallback) {
    return set(env, variable).map(Path::of).filter(Path::isAbsolute).orElse(fallback);
  }

  private static Optional<String> set(Map<String, String> env, String variable) {
    return Optional.ofNullable(env.get(variable)).filter(value -> !value.isBlank());
  }
}
