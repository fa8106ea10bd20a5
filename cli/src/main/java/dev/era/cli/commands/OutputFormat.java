package dev.era.cli.commands;

/** {@code -o}: text for people, json for programs. */
public enum OutputFormat {
  text,
  json
}
