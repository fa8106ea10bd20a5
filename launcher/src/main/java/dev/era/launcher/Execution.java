package dev.era.launcher;

import java.util.concurrent.CompletableFuture;

/** A command started in a guest. */
public interface Execution {
  /**
   * The command's id in the guest: what {@link VmHandle#attach} takes to find it again from another
   * launcher.
   */
  int id();

  /** Completes when the command has ended, or exceptionally when the VM went away first. */
  CompletableFuture<ExecResult> result();

  /** Sends a signal to the command's process group. */
  void signal(int signal);
}
