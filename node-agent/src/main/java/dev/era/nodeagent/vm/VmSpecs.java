package dev.era.nodeagent.vm;

import dev.era.api.EraVM;
import dev.era.api.EraVMSpec;
import dev.era.api.Language;
import dev.era.api.NetworkMode;
import dev.era.api.Quantities;
import dev.era.api.VmTemplate;
import dev.era.launcher.GuestLanguage;
import dev.era.launcher.GuestNetwork;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.VmSpec;
import dev.era.nodeagent.ApiLauncherMapping;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What the launcher boots for an EraVM. */
public final class VmSpecs {
  /**
   * A uid's length, which the launcher's default state directories leave room for in socket paths.
   */
  static final int MAX_ID_LENGTH = 36;

  private static final int HASH_HEX_DIGITS = 12;
  private static final int PREFIX_LENGTH = MAX_ID_LENGTH - HASH_HEX_DIGITS - 1;

  private VmSpecs() {}

  /**
   * The launcher's id of an EraVM's microVM and persistent disk, from its namespace and name, so
   * that a new EraVM of the same namespace and name finds a disk kept on deletion ({@link
   * dev.era.api.Annotations#KEEP_PERSIST}): a readable prefix of {@code <namespace>.<name>} and a
   * hash of both, at most {@link #MAX_ID_LENGTH} characters (socket paths under the launcher's
   * state directory stay short). Changing this orphans every kept disk.
   */
  public static String vmId(EraVM vm) {
    String namespace = vm.getMetadata().getNamespace();
    String name = vm.getMetadata().getName();
    String readable = (namespace + "." + name).replaceAll("[^A-Za-z0-9.-]", "-");
    String prefix =
        readable.substring(0, Math.min(readable.length(), PREFIX_LENGTH)).replaceAll("[.-]+$", "");
    return prefix + "-" + hash(namespace + "/" + name);
  }

  /**
   * @throws InvalidSpecException for a spec the operator let through but the launcher cannot boot
   */
  public static VmSpec of(EraVM vm) {
    EraVMSpec spec = vm.getSpec();
    long persistMib =
        spec.getPersist() == null ? 0 : mib(spec.getPersist().getSize(), "persist.size");
    VmSpec guest = of(vmId(vm), spec);
    return new VmSpec(
        guest.id(),
        guest.language(),
        guest.vcpus(),
        guest.memoryMib(),
        guest.network(),
        persistMib,
        spec.getEgressAllow());
  }

  /**
   * A guest of the template (no persistent disk), as a pool's warm guests are booted.
   *
   * @throws InvalidSpecException for a template the launcher cannot boot
   */
  public static VmSpec of(String id, VmTemplate template) {
    GuestLanguage language =
        Language.parse(template.getLanguage())
            .map(ApiLauncherMapping::guestLanguage)
            .orElseThrow(() -> unknown("language", template.getLanguage()));
    long memoryMib = mib(template.getMemory(), "memory");
    if (memoryMib > Integer.MAX_VALUE) {
      throw new InvalidSpecException("memory " + template.getMemory() + " is too large");
    }
    return new VmSpec(id, language, template.getCpu(), (int) memoryMib, network(template), 0);
  }

  /**
   * The launcher's id of the VM the EraVM has now or had last: the warm guest it was bound to
   * (status.warmGuest), or {@link #vmId} for a VM booted for it.
   */
  public static String launcherId(EraVM vm) {
    String warm = vm.getStatus().getWarmGuest();
    return warm != null ? warm : vmId(vm);
  }

  /** Whether two specs boot the same guest, whatever their ids and disks. */
  public static boolean sameGuest(VmSpec a, VmSpec b) {
    return a.language() == b.language()
        && a.vcpus() == b.vcpus()
        && a.memoryMib() == b.memoryMib()
        && a.network() == b.network();
  }

  private static GuestNetwork network(VmTemplate spec) {
    return NetworkMode.parse(spec.getNetwork())
        .map(ApiLauncherMapping::guestNetwork)
        .orElseThrow(() -> unknown("network", spec.getNetwork()));
  }

  private static InvalidSpecException unknown(String field, String value) {
    return new InvalidSpecException("unknown " + field + " '" + value + "'");
  }

  static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_HEX_DIGITS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static long mib(String quantity, String field) {
    long bytes =
        Quantities.bytes(quantity)
            .orElseThrow(
                () -> new InvalidSpecException(field + " '" + quantity + "' is not a quantity"));
    return (bytes + Quantities.MIB - 1) / Quantities.MIB;
  }
}
