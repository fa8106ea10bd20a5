package dev.era.api;

/** Label keys ERA controllers write on resource metadata. */
public final class Labels {
  /**
   * The node an EraVM or EraRun is placed on. Written by the operator only (on an EraVM when it
   * places it, on an EraRun once its VM is running); the node agent selects on it with an equality
   * selector ({@code era.dev/node=<node>}) and must tear down a VM whose label no longer names its
   * node (the operator moved it away from a lost node).
   */
  public static final String NODE = Era.GROUP + "/node";

  private Labels() {}
}
