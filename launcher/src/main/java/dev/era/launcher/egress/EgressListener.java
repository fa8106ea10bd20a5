package dev.era.launcher.egress;

/**
 * Hears about refused egress. Called on the proxy's event loop: return at once, hand slow work (an
 * API call) elsewhere, and expect a hostile guest to call it as fast as it can ask.
 */
@FunctionalInterface
public interface EgressListener {
  EgressListener IGNORE = denial -> {};

  void denied(EgressDenial denial);
}
