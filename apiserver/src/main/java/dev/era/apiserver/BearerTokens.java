package dev.era.apiserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Static bearer tokens, as kube-apiserver's {@code --token-auth-file} has them: a file of lines
 * {@code token,user,uid,"group1,group2"} (the uid column holds the user name again), mode 0600.
 * Every identity the server needs gets a random 256-bit token the first time; the file keeps it
 * across restarts, and deleting the file makes new ones at the next start.
 */
final class BearerTokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int TOKEN_BYTES = 32;

  /** By token. */
  private final Map<String, UserInfo> users;

  private BearerTokens(Map<String, UserInfo> users) {
    this.users = Map.copyOf(users);
  }

  /** New tokens for the identities, kept in memory only. */
  static BearerTokens generate(List<UserInfo> identities) {
    Map<String, UserInfo> users = new LinkedHashMap<>();
    identities.forEach(user -> users.put(newToken(), user));
    return new BearerTokens(users);
  }

  /**
   * The tokens in {@code file}, with new ones added (and written back) for the identities it lacks.
   *
   * @throws IOException if the file cannot be read or written, or a line is not a token line
   */
  static BearerTokens loadOrCreate(Path file, List<UserInfo> identities) throws IOException {
    Map<String, UserInfo> users = new LinkedHashMap<>();
    if (Files.exists(file)) {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        String[] columns = lines.get(i).strip().split(",", 4);
        if (columns.length == 1 && columns[0].isEmpty()) {
          continue;
        }
        if (columns.length < 3 || columns[0].isEmpty() || columns[1].isEmpty()) {
          throw new IOException(file + ", line " + (i + 1) + ": not token,user,uid[,\"groups\"]");
        }
        users.put(
            columns[0],
            new UserInfo(columns[1], columns.length < 4 ? List.of() : groups(columns[3])));
      }
    }
    List<String> known = users.values().stream().map(UserInfo::name).toList();
    List<UserInfo> missing =
        identities.stream().filter(user -> !known.contains(user.name())).toList();
    if (!missing.isEmpty() || !Files.exists(file)) {
      missing.forEach(user -> users.put(newToken(), user));
      List<String> lines = new ArrayList<>();
      users.forEach((token, user) -> lines.add(line(token, user)));
      AtomicFile.writeString(file, String.join("\n", lines) + "\n");
    }
    return new BearerTokens(users);
  }

  /**
   * The user an {@code Authorization: Bearer <token>} header names; empty when the header is
   * missing, is another scheme or names no token here. Every token is compared in constant time.
   */
  Optional<UserInfo> authenticate(String authorization) {
    if (authorization == null) {
      return Optional.empty();
    }
    String[] parts = authorization.strip().split(" +");
    if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer")) {
      return Optional.empty();
    }
    byte[] presented = parts[1].getBytes(StandardCharsets.UTF_8);
    UserInfo found = null;
    for (Map.Entry<String, UserInfo> entry : users.entrySet()) {
      if (MessageDigest.isEqual(presented, entry.getKey().getBytes(StandardCharsets.UTF_8))) {
        found = entry.getValue();
      }
    }
    return Optional.ofNullable(found);
  }

  /** The token of the user of that name. */
  String tokenOf(String userName) {
    return users.entrySet().stream()
        .filter(e -> e.getValue().name().equals(userName))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no token for user " + userName));
  }

  private static String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String line(String token, UserInfo user) {
    return token
        + ","
        + user.name()
        + ","
        + user.name()
        + ",\""
        + String.join(",", user.groups())
        + "\"";
  }

  /** {@code "a,b"} or {@code a}: the group column, quoted when it holds several. */
  private static List<String> groups(String column) {
    return Arrays.stream(column.replaceAll("^\"|\"$", "").split(","))
        .filter(g -> !g.isBlank())
        .toList();
  }
}
