package dev.era.launcher;

import dev.era.launcher.egress.EgressListener;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * Starts, finds and re-adopts microVMs on this host. VMs run detached from the JVM; their state
 * lives in the state directory, so a new Launcher over the same directory finds the VMs an earlier
 * one started.
 */
public interface Launcher extends AutoCloseable {
  /** Probes (once per host, then cached) whether KVM really runs a standard guest here. */
  QemuAccelerator accelerator();

  /**
   * The accelerator and why it was chosen (e.g. "/dev/kvm is PVM …; using TCG"), for status
   * messages.
   */
  default AcceleratorProbe.Result acceleratorProbe() {
    return new AcceleratorProbe.Result(accelerator(), "chosen by " + getClass().getSimpleName());
  }

  /**
   * Validates the spec, builds the image if needed, starts the VM (restored from the snapshot of
   * its shape, else booted) and returns once the guest agent answers and has taken the VM's {@link
   * GuestIdentity}.
   *
   * @param confinement where QEMU runs, when not in the launcher's own cgroups and network
   */
  VmHandle start(VmSpec spec, Confinement confinement, StartListener listener);

  default VmHandle start(VmSpec spec, StartListener listener) {
    return start(spec, Confinement.NONE, listener);
  }

  default VmHandle start(VmSpec spec) {
    return start(spec, Confinement.NONE, StartListener.SILENT);
  }

  /** The running VM with this id, if any (re-adopted from the state directory if needed). */
  Optional<VmHandle> find(String id);

  /** Every running VM in the state directory; dead ones found on the way are cleaned up. */
  Collection<VmHandle> list();

  /** Deletes the persistent disk of a VM that is not running. */
  void deleteDisk(String id);

  /** Who hears, from now on, about connections and lookups that egress VMs' allow-lists refused. */
  void onEgressDenied(EgressListener listener);

  /** Images already built and cached on this host. */
  Set<GuestLanguage> imagesPresent();

  /** Builds (or finds in the cache) the image for a language, reporting progress. */
  void prepareImage(GuestLanguage language, ProgressListener progress);

  /** Closes connections to guests; the VMs keep running. */
  @Override
  void close();
}
