package dev.era.launcher;

import java.util.regex.Pattern;

/**
 * Who a guest is: what {@link VmHandle#renewIdentity} gives it before user code runs, so that
 * guests restored from one snapshot do not pass for each other.
 *
 * @param vmId the VM's id as its owner names it (commands see it as {@code ERA_VM_ID}); 1 to 253
 *     bytes
 * @param hostname the guest's hostname: 1 to 64 letters, digits, '-' and '.'
 */
public record GuestIdentity(String vmId, String hostname) {
  private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9.-]{1,64}");

  public GuestIdentity {
    if (vmId == null || vmId.isEmpty() || vmId.length() > 253 || vmId.indexOf('\0') >= 0) {
      throw new InvalidSpecException(
          "a VM id is 1 to 253 characters without NUL, got '" + vmId + "'");
    }
    if (hostname == null || !HOSTNAME.matcher(hostname).matches()) {
      throw new InvalidSpecException(
          "a hostname is 1 to 64 letters, digits, '-' and '.', got '" + hostname + "'");
    }
  }

  /** The identity a launcher gives a VM it starts: its id, also as hostname. */
  public static GuestIdentity of(VmSpec spec) {
    return new GuestIdentity(spec.id(), spec.id());
  }
}
