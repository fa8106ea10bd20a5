package dev.era.launcher;

import java.util.Objects;

/**
 * What to boot.
 *
 * @param id unique name of the VM on this node (letters, digits, '-', '.'); names its state dir
 * @param language which guest image
 * @param vcpus virtual CPUs, at least 1 and at most the host's cores
 * @param memoryMib guest memory in MiB
 * @param network guest networking
 * @param persistMib size of a persistent disk mounted on /work, 0 for none; the disk outlives
 *     stop()
 */
public record VmSpec(
    String id,
    GuestLanguage language,
    int vcpus,
    int memoryMib,
    GuestNetwork network,
    long persistMib) {
  public VmSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(language, "language");
    Objects.requireNonNull(network, "network");
  }

  public static VmSpec of(String id, GuestLanguage language) {
    return new VmSpec(id, language, 1, 256, GuestNetwork.NONE, 0);
  }

  public VmSpec withVcpus(int n) {
    return new VmSpec(id, language, n, memoryMib, network, persistMib);
  }

  public VmSpec withMemoryMib(int mib) {
    return new VmSpec(id, language, vcpus, mib, network, persistMib);
  }

  public VmSpec withNetwork(GuestNetwork mode) {
    return new VmSpec(id, language, vcpus, memoryMib, mode, persistMib);
  }

  public VmSpec withPersistMib(long mib) {
    return new VmSpec(id, language, vcpus, memoryMib, network, mib);
  }
}
