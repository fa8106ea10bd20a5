package dev.era.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where on the host a VM's QEMU runs when something other than the launcher holds its resources: in
 * a cluster, the VM's reservation pod. QEMU joins the given cgroups before it runs, so the pod's
 * memory and CPU limits cover it and the container runtime does not count it as the launcher's, and
 * enters the network namespace, so that a guest's traffic leaves from the pod's address.
 *
 * @param cgroupProcs the {@code cgroup.procs} files QEMU's process is written to (one per cgroup
 *     hierarchy)
 * @param netns a network namespace file ({@code /proc/<pid>/ns/net}) QEMU enters; empty to stay in
 *     the launcher's
 */
public record Confinement(List<Path> cgroupProcs, Optional<Path> netns) {
  /** The launcher's own cgroups and network: what a VM gets outside a cluster. */
  public static final Confinement NONE = new Confinement(List.of(), Optional.empty());

  public Confinement {
    cgroupProcs = List.copyOf(cgroupProcs);
  }

  /**
   * Moves a running process (all its threads) into the cgroups; the network namespace of a running
   * process cannot change.
   */
  public void join(long pid) {
    for (Path procs : cgroupProcs) {
      try {
        Files.writeString(procs, Long.toString(pid));
      } catch (IOException e) {
        throw new LaunchException(
            "cannot move process " + pid + " into " + procs.getParent() + ": " + e.getMessage(), e);
      }
    }
  }

  public boolean isNone() {
    return cgroupProcs.isEmpty() && netns.isEmpty();
  }
}
