package dev.era.api;

/** Finalizer names. */
public final class Finalizers {
  /**
   * Keeps a placed EraVM until its node has torn the microVM down. The operator owns it: it adds it
   * when it first sees the VM, before placing it (it is java-operator-sdk's finalizer for the EraVM
   * controller), and removes it on deletion once the node agent reports teardown with the condition
   * {@link ConditionTypes#TORN_DOWN}, or at once when no node agent will: the VM was never placed,
   * or its node is lost.
   */
  public static final String VM_CLEANUP = Era.GROUP + "/vm-cleanup";

  private Finalizers() {}
}
