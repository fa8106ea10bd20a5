package dev.era.launcher.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.GuestNetwork;
import dev.era.launcher.QemuAccelerator;
import dev.era.launcher.VmSpec;
import dev.era.launcher.image.GuestImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotKeyTest {
  private static final String QEMU_7_2 = "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)";
  private static final GuestImage IMAGE =
      new GuestImage(
          GuestLanguage.PYTHON,
          "k1-r1",
          Path.of("/cache/k1/vmlinux"),
          Path.of("/cache/k1/initramfs.cpio"),
          Path.of("/cache/r1/rootfs.erofs"));

  @TempDir Path stateDir;

  private QemuCommand command(VmSpec spec) {
    return command(spec, IMAGE, QemuAccelerator.TCG, Optional.empty());
  }

  private QemuCommand command(
      VmSpec spec, GuestImage image, QemuAccelerator accelerator, Optional<Path> disk) {
    return new QemuCommand(
        Path.of("/usr/bin/qemu-system-x86_64"),
        spec,
        image,
        accelerator,
        VmPaths.of(stateDir, spec.id()),
        disk,
        OptionalLong.of(2596124),
        false);
  }

  private static SnapshotKey key(QemuCommand command) {
    return SnapshotKey.of(command, QEMU_7_2);
  }

  private Path disk(String id, long mib) throws IOException {
    Path file = stateDir.resolve(id + ".img");
    try (RandomAccessFile disk = new RandomAccessFile(file.toFile(), "rw")) {
      disk.setLength(mib << 20);
    }
    return file;
  }

  @Test
  void vmsOfOneShapeShareAKeyThatNamesNoVm() {
    SnapshotKey a = key(command(VmSpec.of("vm-a", GuestLanguage.PYTHON)));
    SnapshotKey b = key(command(VmSpec.of("other-vm-b", GuestLanguage.PYTHON)));

    assertThat(a).isEqualTo(b);
    assertThat(a.hash()).matches("[0-9a-f]{64}");
    assertThat(a.description()).doesNotContain("vm-a", stateDir.toString());
  }

  @Test
  void everyInputOfTheMachineChangesTheKey() {
    VmSpec base = VmSpec.of("vm", GuestLanguage.PYTHON);
    SnapshotKey reference = key(command(base));
    GuestImage rebuilt =
        new GuestImage(
            GuestLanguage.PYTHON, "k2-r1", IMAGE.kernel(), IMAGE.initramfs(), IMAGE.rootfs());
    GuestImage nodeImage =
        new GuestImage(
            GuestLanguage.NODE,
            "k1-r2",
            IMAGE.kernel(),
            IMAGE.initramfs(),
            Path.of("/cache/r2/rootfs.erofs"));

    assertThat(
            new SnapshotKey[] {
              key(command(base.withMemoryMib(512))),
              key(command(base.withVcpus(2))),
              key(command(base.withNetwork(GuestNetwork.FULL))),
              key(command(base, rebuilt, QemuAccelerator.TCG, Optional.empty())),
              key(command(base, IMAGE, QemuAccelerator.KVM, Optional.empty())),
              SnapshotKey.of(command(base), "QEMU emulator version 8.2.2"),
              key(command(base, nodeImage, QemuAccelerator.TCG, Optional.empty()))
            })
        .doesNotContain(reference)
        .doesNotHaveDuplicates();
  }

  @Test
  void persistentDisksShareAKeyOnlyWithDisksOfTheirSize() throws IOException {
    VmSpec a = VmSpec.of("vm-a", GuestLanguage.PYTHON).withPersistMib(64);
    VmSpec b = VmSpec.of("vm-b", GuestLanguage.PYTHON).withPersistMib(64);
    SnapshotKey withDiskA = key(command(a, IMAGE, QemuAccelerator.TCG, Optional.of(disk("a", 64))));
    SnapshotKey withDiskB = key(command(b, IMAGE, QemuAccelerator.TCG, Optional.of(disk("b", 64))));
    SnapshotKey withLarger =
        key(command(b, IMAGE, QemuAccelerator.TCG, Optional.of(disk("c", 128))));

    assertThat(withDiskA).isEqualTo(withDiskB);
    assertThat(withDiskA.description()).contains("<persist>").doesNotContain("a.img");
    assertThat(withLarger).isNotEqualTo(withDiskA);
    assertThat(withDiskA).isNotEqualTo(key(command(VmSpec.of("vm-a", GuestLanguage.PYTHON))));
  }
}
