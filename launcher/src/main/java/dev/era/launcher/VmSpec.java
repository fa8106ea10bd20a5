package dev.era.launcher;

import java.util.List;
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
 * @param egressAllow with {@link GuestNetwork#EGRESS}: what the guest may reach (see {@link
 *     dev.era.launcher.egress.EgressPolicy}); empty otherwise
 */
public record VmSpec(
    String id,
    GuestLanguage language,
    int vcpus,
    int memoryMib,
    GuestNetwork network,
    long persistMib,
    List<String> egressAllow) {
  public VmSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(language, "language");
    Objects.requireNonNull(network, "network");
    egressAllow = List.copyOf(egressAllow == null ? List.of() : egressAllow);
  }

  public VmSpec(
      String id,
      GuestLanguage language,
      int vcpus,
      int memoryMib,
      GuestNetwork network,
      long persistMib) {
    this(id, language, vcpus, memoryMib, network, persistMib, List.of());
  }

  public static VmSpec of(String id, GuestLanguage language) {
    return new VmSpec(id, language, 1, 256, GuestNetwork.NONE, 0);
  }

  public VmSpec withVcpus(int n) {
    return new VmSpec(id, language, n, memoryMib, network, persistMib, egressAllow);
  }

  public VmSpec withMemoryMib(int mib) {
    return new VmSpec(id, language, vcpus, mib, network, persistMib, egressAllow);
  }

  public VmSpec withNetwork(GuestNetwork mode) {
    return new VmSpec(id, language, vcpus, memoryMib, mode, persistMib, egressAllow);
  }

  /** Network {@link GuestNetwork#EGRESS} to what {@code allow} lists. */
  public VmSpec withEgress(List<String> allow) {
    return new VmSpec(id, language, vcpus, memoryMib, GuestNetwork.EGRESS, persistMib, allow);
  }

  public VmSpec withPersistMib(long mib) {
    return new VmSpec(id, language, vcpus, memoryMib, network, mib, egressAllow);
  }
}
