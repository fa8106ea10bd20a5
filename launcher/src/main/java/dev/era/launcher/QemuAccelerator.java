package dev.era.launcher;

/** How QEMU runs guest code on this host. */
public enum QemuAccelerator {
  /** Hardware virtualisation through /dev/kvm. */
  KVM,
  /** Software emulation: slower, same isolation boundary. */
  TCG
}
