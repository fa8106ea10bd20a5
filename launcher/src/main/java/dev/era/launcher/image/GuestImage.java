package dev.era.launcher.image;

import dev.era.launcher.GuestLanguage;
import java.nio.file.Path;

/**
 * A built guest image: what QEMU needs to boot one language's microVM.
 *
 * @param language the language it serves
 * @param key {@code <bootKey>-<rootfsKey>}: hashes of every input the kernel + initramfs and the
 *     root filesystem were built from; the same key means the same build
 * @param kernel the kernel to boot directly: the uncompressed vmlinux (PVH entry), or the bzImage
 *     where no vmlinux could be extracted; QEMU's {@code -kernel} takes either
 * @param initramfs the initramfs holding the agent (/init) and the modules the root disk needs
 * @param rootfs the read-only root filesystem image
 */
public record GuestImage(
    GuestLanguage language, String key, Path kernel, Path initramfs, Path rootfs) {}
