package dev.era.launcher.image;

import dev.era.launcher.Language;
import java.nio.file.Path;

/**
 * A built guest image: what QEMU needs to boot one language's microVM.
 *
 * @param language  the language it serves
 * @param key       hash of every input it was built from; names its cache directory
 * @param kernel    the kernel to boot directly (uncompressed vmlinux, PVH entry)
 * @param initramfs the initramfs holding the agent (/init) and the modules the root disk needs
 * @param rootfs    the read-only root filesystem image
 */
public record GuestImage(Language language, String key, Path kernel, Path initramfs, Path rootfs) {
}
