package dev.era.api;

/** How a node runs guests; constant names are the API values. */
public enum Accelerator {
  kvm,
  tcg
}
