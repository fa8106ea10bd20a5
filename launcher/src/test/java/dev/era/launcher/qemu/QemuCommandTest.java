package dev.era.launcher.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.launcher.GuestLanguage;
import dev.era.launcher.GuestNetwork;
import dev.era.launcher.QemuAccelerator;
import dev.era.launcher.VmSpec;
import dev.era.launcher.image.GuestImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class QemuCommandTest {
  private static final GuestImage IMAGE =
      new GuestImage(
          GuestLanguage.PYTHON,
          "k1-r1",
          Path.of("/cache/boot/kernel"),
          Path.of("/cache/boot/initramfs.cpio"),
          Path.of("/cache/python/rootfs.erofs"));
  private static final VmPaths PATHS = VmPaths.of(Path.of("/state"), "py-1");
  private static final VmSpec PY_1 = VmSpec.of("py-1", GuestLanguage.PYTHON);

  /** Without a persistent disk. */
  private static QemuCommand command(VmSpec spec, QemuAccelerator accelerator) {
    return command(spec, accelerator, Optional.empty());
  }

  private static QemuCommand command(
      VmSpec spec, QemuAccelerator accelerator, Optional<Path> disk) {
    return new QemuCommand(
        Path.of("/usr/bin/qemu-system-x86_64"),
        spec,
        IMAGE,
        accelerator,
        PATHS,
        disk,
        OptionalLong.of(2596124),
        false);
  }

  /** The value following {@code option} each time it appears. */
  private static List<String> values(List<String> argv, String option) {
    List<String> values = new java.util.ArrayList<>();
    for (int i = 0; i < argv.size() - 1; i++) {
      if (argv.get(i).equals(option)) {
        values.add(argv.get(i + 1));
      }
    }
    return values;
  }

  @Test
  void buildsAMicrovmUnderTcgWithTheNotedOptions() {
    VmSpec spec = PY_1.withVcpus(2).withMemoryMib(512);
    List<String> argv = command(spec, QemuAccelerator.TCG).argv();

    assertThat(argv.get(0)).isEqualTo("/usr/bin/qemu-system-x86_64");
    assertThat(values(argv, "-M")).containsExactly("microvm,x-option-roms=off");
    assertThat(argv).contains("-nodefaults", "-no-user-config", "-no-reboot");
    assertThat(values(argv, "-display")).containsExactly("none");
    assertThat(values(argv, "-accel")).containsExactly("tcg,tb-size=64");
    assertThat(values(argv, "-cpu")).containsExactly("max");
    assertThat(values(argv, "-smp")).containsExactly("2");
    assertThat(values(argv, "-m")).containsExactly("512M");
    assertThat(values(argv, "-kernel")).containsExactly("/cache/boot/kernel");
    assertThat(values(argv, "-initrd")).containsExactly("/cache/boot/initramfs.cpio");
    assertThat(values(argv, "-drive"))
        .containsExactly("id=root,file=/cache/python/rootfs.erofs,format=raw,if=none,readonly=on");
    assertThat(values(argv, "-device"))
        .containsExactly(
            "virtio-blk-device,drive=root,serial=era-root",
            "virtio-serial-device",
            "virtserialport,chardev=agent,name=era.agent",
            "virtio-balloon-device,free-page-reporting=on");
    assertThat(values(argv, "-chardev"))
        .containsExactly(
            "socket,id=agent,path=/state/vms/py-1/agent.sock,server=on,wait=off",
            "socket,id=qmp,path=/state/vms/py-1/qmp.sock,server=on,wait=off",
            "file,id=console,path=/state/vms/py-1/console.log,append=on");
    assertThat(values(argv, "-mon")).containsExactly("chardev=qmp,mode=control");
    assertThat(values(argv, "-serial")).containsExactly("chardev:console");
    assertThat(values(argv, "-sandbox"))
        .containsExactly("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
    assertThat(argv).doesNotContain("-netdev", "-daemonize");
  }

  @Test
  void usesKvmWithTheHostCpu() {
    List<String> argv = command(PY_1, QemuAccelerator.KVM).argv();

    assertThat(values(argv, "-accel")).containsExactly("kvm");
    assertThat(values(argv, "-cpu")).containsExactly("host");
  }

  @Test
  void passesTheHostTscAndTheNetworkModeOnTheKernelCommandLine() {
    String none = command(PY_1, QemuAccelerator.TCG).kernelCmdline();

    assertThat(none.split(" "))
        .contains(
            "console=ttyS0",
            "reboot=k",
            "panic=-1",
            "quiet",
            "loglevel=1",
            "i8042.noaux",
            "i8042.nomux",
            "i8042.nopnp",
            "i8042.dumbkbd",
            "cryptomgr.notests",
            "random.trust_cpu=on",
            "no_timer_check",
            "tsc=reliable",
            "8250.nr_uarts=1",
            "nokaslr",
            "tsc_early_khz=2596124",
            "era.net=none");
    assertThat(none).doesNotContain("era.persist", "mitigations=off");
  }

  @Test
  void networkNoneHasNoNetworkDeviceAndFullHasUserNetworking() {
    List<String> none = command(PY_1, QemuAccelerator.TCG).argv();
    QemuCommand full = command(PY_1.withNetwork(GuestNetwork.FULL), QemuAccelerator.TCG);

    assertThat(none).noneMatch(arg -> arg.contains("netdev") || arg.contains("virtio-net"));
    assertThat(values(full.argv(), "-netdev")).containsExactly("user,id=net0,ipv6=off");
    assertThat(values(full.argv(), "-device")).contains("virtio-net-device,netdev=net0");
    assertThat(full.kernelCmdline()).contains("era.net=full");
  }

  @Test
  void networkEgressHasUserNetworkingAndTellsTheGuestToKeepItsGatewayReachable() {
    QemuCommand egress = command(PY_1.withEgress(List.of("pypi.org")), QemuAccelerator.TCG);

    assertThat(values(egress.argv(), "-netdev")).containsExactly("user,id=net0,ipv6=off");
    assertThat(egress.kernelCmdline()).contains("era.net=egress");
  }

  @Test
  void givesFreedGuestMemoryBackThroughFreePageReporting() {
    for (QemuAccelerator accelerator : QemuAccelerator.values()) {
      assertThat(values(command(PY_1, accelerator).argv(), "-device"))
          .contains("virtio-balloon-device,free-page-reporting=on");
    }
  }

  @Test
  void attachesThePersistentDiskAfterTheRootDisk() {
    QemuCommand command =
        command(
            PY_1.withPersistMib(64),
            QemuAccelerator.TCG,
            Optional.of(Path.of("/state/disks/py-1.img")));

    assertThat(values(command.argv(), "-drive"))
        .containsExactly(
            "id=root,file=/cache/python/rootfs.erofs,format=raw,if=none,readonly=on",
            "id=persist,file=/state/disks/py-1.img,format=raw,if=none");
    assertThat(values(command.argv(), "-device"))
        .containsSubsequence(
            "virtio-blk-device,drive=root,serial=era-root",
            "virtio-blk-device,drive=persist,serial=era-persist");
    assertThat(command.kernelCmdline()).endsWith(" era.persist=1");
  }

  @Test
  void doublesCommasInPathsSoQemuDoesNotSplitThem() {
    VmPaths odd = VmPaths.of(Path.of("/state,x"), "py-1");
    List<String> argv =
        new QemuCommand(
                Path.of("/usr/bin/qemu-system-x86_64"),
                PY_1,
                IMAGE,
                QemuAccelerator.TCG,
                odd,
                Optional.empty(),
                OptionalLong.empty(),
                false)
            .argv();

    assertThat(values(argv, "-chardev"))
        .contains("socket,id=agent,path=/state,,x/vms/py-1/agent.sock,server=on,wait=off");
  }

  @Test
  void leavesOutTheTscWhenTheHostDoesNotSayIt() {
    String cmdline =
        new QemuCommand(
                Path.of("/q"),
                PY_1,
                IMAGE,
                QemuAccelerator.TCG,
                PATHS,
                Optional.empty(),
                OptionalLong.empty(),
                false)
            .kernelCmdline();

    assertThat(cmdline).doesNotContain("tsc_early_khz");
  }
}
