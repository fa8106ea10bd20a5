package dev.era.launcher.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Asks /dev/kvm, through ioctls, whether it can create a VM at all. */
public final class KvmDevice {
  static final long KVM_GET_API_VERSION = 0xAE00;
  static final long KVM_CREATE_VM = 0xAE01;
  static final int KVM_API_VERSION = 12;

  private KvmDevice() {}

  /**
   * Why {@code device} cannot run VMs, or empty when it opened, has API version 12 and created a
   * VM.
   */
  public static Optional<String> whyUnusable(Path device) {
    if (!Files.exists(device)) {
      return Optional.of(
          device
              + " does not exist (no hardware virtualisation exposed to this host or container)");
    }
    int fd;
    try {
      fd = LibC.INSTANCE.open(device.toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      return Optional.of(
          "cannot open "
              + device
              + ": "
              + e.getMessage()
              + (e.getErrorCode() == 13
                  ? " (add the launcher's user to the group that owns it, usually 'kvm')"
                  : ""));
    }
    try {
      int version = LibC.INSTANCE.ioctl(fd, new NativeLong(KVM_GET_API_VERSION), new NativeLong(0));
      if (version != KVM_API_VERSION) {
        return Optional.of(
            device + " reports KVM API version " + version + ", not " + KVM_API_VERSION);
      }
      int vm = LibC.INSTANCE.ioctl(fd, new NativeLong(KVM_CREATE_VM), new NativeLong(0));
      LibC.INSTANCE.close(vm);
      return Optional.empty();
    } catch (LastErrorException e) {
      return Optional.of(
          device + " refused a KVM ioctl (" + e.getMessage() + "): it is not a usable KVM device");
    } finally {
      LibC.INSTANCE.close(fd);
    }
  }
}
