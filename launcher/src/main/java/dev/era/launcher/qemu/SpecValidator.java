package dev.era.launcher.qemu;

import dev.era.launcher.GuestNetwork;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.VmSpec;
import dev.era.launcher.egress.EgressPolicy;
import java.util.regex.Pattern;

/** Rejects specs that cannot boot on this host, with a message that says what to change. */
public final class SpecValidator {
  public static final int MIN_MEMORY_MIB = 128;
  public static final long MIN_PERSIST_MIB = 32;
  static final Pattern ID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?");

  /**
   * What the host can give.
   *
   * @param vcpus the most vCPUs one guest may have: the cores available to this process, or fewer
   * @param memAvailableMib MemAvailable of the host
   * @param diskFreeMib free space where persistent disks live
   */
  public record HostLimits(int vcpus, long memAvailableMib, long diskFreeMib) {}

  private SpecValidator() {}

  public static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  public static void validateId(String id) {
    if (!isValidId(id)) {
      throw new InvalidSpecException(
          "VM id '"
              + id
              + "' is invalid: use 1 to 64 letters, digits, '-' and '.',"
              + " starting and ending with a letter or digit");
    }
  }

  /**
   * @param diskExists whether the VM's persistent disk exists already (then it takes no new space)
   */
  public static void validate(VmSpec spec, HostLimits host, boolean diskExists) {
    validateId(spec.id());
    if (spec.vcpus() < 1) {
      throw new InvalidSpecException("vcpus must be at least 1, got " + spec.vcpus());
    }
    if (spec.vcpus() > host.vcpus()) {
      throw new InvalidSpecException(
          "vcpus "
              + spec.vcpus()
              + " is more than the "
              + host.vcpus()
              + " a guest may have on this host: ask for at most "
              + host.vcpus());
    }
    if (spec.memoryMib() < MIN_MEMORY_MIB) {
      throw new InvalidSpecException(
          "memory "
              + spec.memoryMib()
              + " MiB is below the minimum of "
              + MIN_MEMORY_MIB
              + " MiB a guest needs to boot");
    }
    if (spec.memoryMib() > host.memAvailableMib()) {
      throw new InvalidSpecException(
          "memory "
              + spec.memoryMib()
              + " MiB is more than this host has available ("
              + host.memAvailableMib()
              + " MiB): ask for less or free memory on the host");
    }
    if (spec.network() == GuestNetwork.EGRESS) {
      EgressPolicy.parse(spec.egressAllow());
    } else if (!spec.egressAllow().isEmpty()) {
      throw new InvalidSpecException("an egress allow-list needs network EGRESS");
    }
    if (spec.persistMib() < 0) {
      throw new InvalidSpecException(
          "persistent disk size must be 0 (none) or positive, got " + spec.persistMib() + " MiB");
    }
    if (spec.persistMib() > 0 && !diskExists) {
      if (spec.persistMib() < MIN_PERSIST_MIB) {
        throw new InvalidSpecException(
            "persistent disk of "
                + spec.persistMib()
                + " MiB is too small for ext4: ask for at least "
                + MIN_PERSIST_MIB
                + " MiB");
      }
      if (spec.persistMib() > host.diskFreeMib()) {
        throw new InvalidSpecException(
            "persistent disk of "
                + spec.persistMib()
                + " MiB is more than the "
                + host.diskFreeMib()
                + " MiB free in the launcher's state directory");
      }
    }
  }
}
