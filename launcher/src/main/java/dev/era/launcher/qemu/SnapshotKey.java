package dev.era.launcher.qemu;

import dev.era.launcher.LaunchException;
import dev.era.launcher.protocol.FrameCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What a snapshot may be restored into: a VM whose QEMU would get the same argv (machine, devices,
 * accelerator, vCPUs, memory, kernel, initramfs, root filesystem and kernel command line; network
 * and persistent-disk mode among them), from the same QEMU build and guest image, with a persistent
 * disk of the same size. Anything else changes the hash, so a stale snapshot is never found.
 *
 * @param hash SHA-256 of {@link #description}, hex
 * @param description the inputs, one per line, with the VM's own paths replaced by placeholders
 */
public record SnapshotKey(String hash, String description) {
  /** Raise when what a snapshot holds changes in a way the other inputs do not show. */
  static final int FORMAT = 1;

  /**
   * @param command the VM's QEMU command line (its argv carries no {@code -incoming})
   * @param qemuVersion what the QEMU binary says with {@code --version}
   */
  public static SnapshotKey of(QemuCommand command, String qemuVersion) {
    StringBuilder text =
        new StringBuilder()
            .append("format ")
            .append(FORMAT)
            .append("\nprotocol ")
            .append(FrameCodec.VERSION)
            .append("\nqemu ")
            .append(qemuVersion)
            .append("\nimage ")
            .append(command.image().language().id())
            .append(' ')
            .append(command.image().key());
    Optional<String> disk = command.persistDisk().map(QemuCommand::escape);
    if (command.persistDisk().isPresent()) {
      Path file = command.persistDisk().get();
      try {
        // The guest reads its disk's size at boot, so a restored guest needs a disk of that size.
        text.append("\npersist-bytes ").append(Files.size(file));
      } catch (IOException e) {
        throw new LaunchException("cannot read the size of " + file + ": " + e.getMessage(), e);
      }
    }
    String vmDir = QemuCommand.escape(command.paths().dir());
    for (String arg : command.argv()) {
      String shared = arg.replace(vmDir, "<vm>");
      if (disk.isPresent()) {
        shared = shared.replace(disk.get(), "<persist>");
      }
      text.append("\narg ").append(shared);
    }
    String description = text.toString();
    return new SnapshotKey(sha256(description), description);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
