package dev.era.agent.vm;

import dev.era.api.EraVM;
import dev.era.api.EraVMSpec;
import dev.era.api.Quantities;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.Language;
import dev.era.launcher.NetworkMode;
import dev.era.launcher.VmSpec;

/** What the launcher boots for an EraVM. */
public final class VmSpecs {
  private VmSpecs() {}

  /**
   * The launcher's id of an EraVM's microVM: its uid. Fixed length (socket paths stay short) and
   * never reused, so a new EraVM with an old name never meets the old VM or its disk.
   */
  public static String vmId(EraVM vm) {
    return vm.getMetadata().getUid();
  }

  /**
   * @throws InvalidSpecException for a spec the operator let through but the launcher cannot boot
   */
  public static VmSpec of(EraVM vm) {
    EraVMSpec spec = vm.getSpec();
    Language language = Language.parse(spec.getLanguage());
    long memoryMib = mib(spec.getMemory(), "memory");
    if (memoryMib > Integer.MAX_VALUE) {
      throw new InvalidSpecException("memory " + spec.getMemory() + " is too large");
    }
    long persistMib = spec.getPersist() == null ? 0 : mib(spec.getPersist().getSize(), "persist.size");
    return new VmSpec(vmId(vm), language, spec.getCpu(), (int) memoryMib, network(spec), persistMib);
  }

  /**
   * The launcher has no allow-list filter: an egress VM gets no network at all, which is safe, and
   * the Network condition says so.
   */
  static NetworkMode network(EraVMSpec spec) {
    return dev.era.api.NetworkMode.full.name().equals(spec.getNetwork()) ? NetworkMode.FULL : NetworkMode.NONE;
  }

  public static boolean wantsEgress(EraVM vm) {
    return dev.era.api.NetworkMode.egress.name().equals(vm.getSpec().getNetwork());
  }

  private static long mib(String quantity, String field) {
    long bytes = Quantities.bytes(quantity).orElseThrow(
        () -> new InvalidSpecException(field + " '" + quantity + "' is not a quantity"));
    return (bytes + Quantities.MIB - 1) / Quantities.MIB;
  }
}
