package dev.era.api;

/** Finalizer names. */
public final class Finalizers {
  /**
   * Keeps a placed EraVM until its node has torn the microVM down. The operator adds it when it
   * first sees the VM, before placing it (it is java-operator-sdk's finalizer for the EraVM
   * controller); the node agent removes it after teardown. The operator removes it itself only when
   * no node agent will: the VM was never placed, or its node is lost.
   */
  public static final String VM_CLEANUP = Era.GROUP + "/vm-cleanup";

  private Finalizers() {}
}
