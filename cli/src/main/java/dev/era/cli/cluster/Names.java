package dev.era.cli.cluster;

import java.security.SecureRandom;

/** Generated object names: a prefix and a random suffix, like Kubernetes' generateName. */
public final class Names {
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final int SUFFIX_LENGTH = 5;

  /** Room left for the suffix in a 63-character name. */
  private static final int MAX_PREFIX = 63 - SUFFIX_LENGTH - 1;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Names() {}

  public static String withSuffix(String prefix) {
    String head = prefix.length() > MAX_PREFIX ? prefix.substring(0, MAX_PREFIX) : prefix;
    StringBuilder name = new StringBuilder(head.replaceAll("[-.]+$", "")).append('-');
    for (int i = 0; i < SUFFIX_LENGTH; i++) {
      name.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return name.toString();
  }
}
