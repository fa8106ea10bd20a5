package dev.era.launcher.qemu;

import dev.era.launcher.GuestNetwork;
import dev.era.launcher.QemuAccelerator;
import dev.era.launcher.VmSpec;
import dev.era.launcher.image.GuestImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The QEMU command line for one microVM (see /work/shared/microvm-notes.md for why each option is
 * there).
 *
 * @param qemu the qemu-system-x86_64 binary
 * @param spec what to boot
 * @param image kernel, initramfs and root filesystem
 * @param accelerator KVM or TCG
 * @param paths the VM's runtime files
 * @param persistDisk the VM's persistent disk, if it has one
 * @param tscKhz the host TSC frequency, handed to the guest so it skips calibration
 * @param guestCommandsAsRoot tests only: the guest agent runs commands as root ({@code
 *     era.test.root=1})
 */
public record QemuCommand(
    Path qemu,
    VmSpec spec,
    GuestImage image,
    QemuAccelerator accelerator,
    VmPaths paths,
    Optional<Path> persistDisk,
    OptionalLong tscKhz,
    boolean guestCommandsAsRoot) {
  /**
   * TCG's translation cache, in MiB: QEMU's own memory, charged as it fills. The default let one
   * Node.js guest grow to ~960 MB RSS; 64 MiB keeps it near 300 MB.
   */
  public static final int TCG_TB_SIZE_MIB = 64;

  static final String SANDBOX =
      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";
  static final String BASE_KERNEL_ARGS =
      "console=ttyS0 reboot=k panic=-1 quiet loglevel=1 i8042.noaux i8042.nomux"
          + " i8042.nopnp i8042.dumbkbd cryptomgr.notests random.trust_cpu=on no_timer_check tsc=reliable"
          + " 8250.nr_uarts=1 nokaslr";

  public List<String> argv() {
    List<String> args =
        new ArrayList<>(
            List.of(
                qemu.toString(),
                "-M",
                "microvm,x-option-roms=off",
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-no-reboot"));
    if (accelerator == QemuAccelerator.KVM) {
      args.addAll(List.of("-accel", "kvm", "-cpu", "host"));
    } else {
      args.addAll(List.of("-accel", "tcg,tb-size=" + TCG_TB_SIZE_MIB, "-cpu", "max"));
    }
    args.addAll(
        List.of(
            "-smp", Integer.toString(spec.vcpus()),
            "-m", spec.memoryMib() + "M",
            "-kernel", image.kernel().toString(),
            "-initrd", image.initramfs().toString(),
            "-append", kernelCmdline(),
            "-drive", "id=root,file=" + escape(image.rootfs()) + ",format=raw,if=none,readonly=on",
            "-device", "virtio-blk-device,drive=root,serial=era-root"));
    persistDisk.ifPresent(
        disk ->
            args.addAll(
                List.of(
                    "-drive",
                    "id=persist,file=" + escape(disk) + ",format=raw,if=none",
                    "-device",
                    "virtio-blk-device,drive=persist,serial=era-persist")));
    args.addAll(
        List.of(
            "-device", "virtio-serial-device",
            "-chardev",
                "socket,id=agent,path=" + escape(paths.agentSocket()) + ",server=on,wait=off",
            "-device", "virtserialport,chardev=agent,name=era.agent",
            "-chardev", "socket,id=qmp,path=" + escape(paths.qmpSocket()) + ",server=on,wait=off",
            "-mon", "chardev=qmp,mode=control",
            "-chardev", "file,id=console,path=" + escape(paths.consoleLog()) + ",append=on",
            "-serial", "chardev:console"));
    // Free page reporting: the guest's virtio_balloon driver reports free blocks of 2 MiB and up,
    // and QEMU drops them from its memory, so a guest whose memory-hungry command has ended
    // shrinks back to about its idle RSS. The balloon itself is never inflated.
    args.addAll(List.of("-device", "virtio-balloon-device,free-page-reporting=on"));
    if (spec.network() != GuestNetwork.NONE) {
      // User-mode networking: no host bridge. Every guest connection is a socket of this QEMU,
      // which runs in a cgroup that the host's firewall keeps off the host's own and private
      // addresses (GuestNetworkGuard), and with EGRESS off everything but the VM's egress proxy;
      // with FULL, the guest agent's reject route for 10.0.2.2 (slirp's alias of the host's
      // loopback) is defence in depth. IPv6 is off: slirp would map fec0::2 to the host's ::1.
      args.addAll(
          List.of("-netdev", "user,id=net0,ipv6=off", "-device", "virtio-net-device,netdev=net0"));
    }
    args.addAll(List.of("-sandbox", SANDBOX));
    return args;
  }

  public String kernelCmdline() {
    StringBuilder cmdline = new StringBuilder(BASE_KERNEL_ARGS);
    // Without the host's TSC frequency about one boot in eleven hung in clock calibration under
    // TCG.
    tscKhz.ifPresent(khz -> cmdline.append(" tsc_early_khz=").append(khz));
    cmdline.append(" era.net=").append(spec.network().name().toLowerCase(Locale.ROOT));
    if (persistDisk.isPresent()) {
      cmdline.append(" era.persist=1");
    }
    if (guestCommandsAsRoot) {
      cmdline.append(" era.test.root=1");
    }
    return cmdline.toString();
  }

  /** QEMU option values separate with ','; a literal comma is written twice. */
  static String escape(Path path) {
    return path.toString().replace(",", ",,");
  }
}
