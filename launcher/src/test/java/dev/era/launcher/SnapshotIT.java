package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.era.launcher.host.ProcFs;
import dev.era.launcher.image.GuestImages;
import dev.era.launcher.qemu.QemuBinary;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot starts with real guests: the first VM of a shape cold-boots and leaves a snapshot, the
 * next ones are restored from it, each with its own random state and identity.
 */
@ExtendWith(RequiresQemu.class)
class SnapshotIT {
  private static final Duration STOP = Duration.ofSeconds(10);

  /** Everything a clone must not share with another, one value per line. */
  private static final String SHOW_STATE =
      String.join(
          "; ",
          "import os, random, socket, time",
          "print(open('/proc/sys/kernel/random/boot_id').read().strip())",
          "print(os.urandom(16).hex())",
          "print(random.random())",
          "print(socket.gethostname())",
          "print(os.environ['ERA_VM_ID'])",
          "print(time.time())");

  @TempDir Path stateDir;
  @TempDir Path cacheDir;
  private QemuLauncher launcher;
  private final List<String> discarded = new ArrayList<>();

  @BeforeAll
  static void images() {
    Guests.prepareImages(GuestLanguage.PYTHON);
  }

  /** Snapshots go to a cache of this test's own; the images come from the shared one. */
  @BeforeEach
  void launcher() {
    launcher =
        new QemuLauncher(
            LauncherConfig.defaults().withStateDir(stateDir).withCacheDir(cacheDir),
            new GuestImages(GuestImages.defaultCacheDir()));
  }

  @AfterEach
  void stopAll() {
    launcher.list().forEach(VmHandle::kill);
    launcher.close();
  }

  private VmHandle start(VmSpec spec) {
    return launcher.start(spec, discarded::add);
  }

  @Test
  void clonesRestoreFromTheFirstBootWithTheirOwnRandomStateAndIdentity() throws Exception {
    VmHandle first = start(VmSpec.of("snap-first", GuestLanguage.PYTHON));
    assertThat(first.startKind()).isEqualTo(StartKind.COLD_BOOT);
    List<Path> snapshots = snapshotFiles();
    assertThat(snapshots).hasSize(1);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(snapshots.get(0))))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(snapshots.get(0).getParent())))
        .isEqualTo("rwx------");
    first.stop(STOP);

    // Each clone's state is read by its first command, as soon as it is handed out: the kernel
    // would reseed on its own a few seconds later, which must not be what sets the clones apart.
    double before = System.currentTimeMillis() / 1000.0;
    VmHandle a = start(VmSpec.of("clone-a", GuestLanguage.PYTHON));
    List<String> stateA = state(a);
    double after = System.currentTimeMillis() / 1000.0;
    VmHandle b = start(VmSpec.of("clone-b", GuestLanguage.PYTHON));
    List<String> stateB = state(b);
    assertThat(a.startKind()).isEqualTo(StartKind.SNAPSHOT_RESTORE);
    assertThat(b.startKind()).isEqualTo(StartKind.SNAPSHOT_RESTORE);

    for (int i = 0; i < 3; i++) { // boot_id, os.urandom, random.random
      assertThat(stateA.get(i)).isNotEqualTo(stateB.get(i));
    }
    assertThat(stateA.subList(3, 5)).containsExactly("clone-a", "clone-a");
    assertThat(stateB.subList(3, 5)).containsExactly("clone-b", "clone-b");
    // The guest's time is the host's. IDENTITY sets it; under TCG the guest's clock also follows
    // the host's across a restore by itself, so there this holds even without that step.
    assertThat(Double.parseDouble(stateA.get(5))).isBetween(before - 0.5, after + 0.5);
    assertThat(discarded).isEmpty();
  }

  @Test
  void theNextVmOfAShapeTakesTheSpareQemuWaitingForItAndANewLauncherReadoptsIt() throws Exception {
    start(VmSpec.of("spare-origin", GuestLanguage.PYTHON)).stop(STOP);
    long spare = awaitSpare(List.of());
    assertThat(launcher.list()).as("a spare is no VM").isEmpty();
    assertThat(Files.readString(Path.of("/proc", spare + "", "status")))
        .as("its guest memory is faulted in while it waits")
        .containsPattern("VmRSS:\\s+[2-9]\\d{5} kB");

    VmHandle vm = start(VmSpec.of("from-spare", GuestLanguage.PYTHON));

    assertThat(vm.startKind()).isEqualTo(StartKind.SNAPSHOT_RESTORE);
    assertThat(vm.pid()).isEqualTo(spare);
    assertThat(state(vm).subList(3, 5)).containsExactly("from-spare", "from-spare");
    awaitSpare(List.of(spare)); // a new one for the shape; the VM's QEMU began as one

    // Closing stops the spare, not the VM; a new launcher finds the VM, though QEMU's command
    // line names the spare's directory, not the VM's.
    launcher.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> spares().equals(List.of(spare)));
    launcher();
    VmHandle adopted = launcher.find("from-spare").orElseThrow();
    assertThat(adopted.pid()).isEqualTo(spare);
    assertThat(adopted.exec(ExecRequest.argv("true")).exitCode()).isZero();
    assertThat(discarded).isEmpty();
  }

  /** The one spare QEMU of this test's launcher, once ready, among QEMUs begun as spares. */
  private long awaitSpare(List<Long> vms) {
    await().atMost(Duration.ofSeconds(60)).until(() -> launcher.sparesReady() == 1);
    List<Long> pids = spares().stream().filter(pid -> !vms.contains(pid)).toList();
    assertThat(pids).hasSize(1);
    return pids.get(0);
  }

  /** QEMUs started as spares: their command line names a spare's directory. */
  private List<Long> spares() {
    return ProcFs.findByMarker(
        stateDir.resolve("vms").toAbsolutePath() + "/" + SpareQemus.ID_PREFIX);
  }

  @Test
  void aCorruptSnapshotIsDiscardedReportedAndReplacedByACleanBoot() throws Exception {
    start(VmSpec.of("snap-origin", GuestLanguage.PYTHON)).stop(STOP);
    Path snapshot = snapshotFiles().get(0);
    long size = Files.size(snapshot);
    try (RandomAccessFile file = new RandomAccessFile(snapshot.toFile(), "rw")) {
      file.setLength(size / 2);
    }

    VmHandle vm = start(VmSpec.of("after-corrupt", GuestLanguage.PYTHON));

    assertThat(vm.startKind()).isEqualTo(StartKind.COLD_BOOT);
    assertThat(discarded).singleElement().asString().contains("could not be restored");
    assertThat(vm.exec(ExecRequest.argv("true")).exitCode()).isZero();
    // The cold boot saved a whole snapshot in place of the discarded one; it restores.
    assertThat(Files.size(snapshot)).isGreaterThan(size / 2);
    vm.stop(STOP);
    assertThat(start(VmSpec.of("after-replaced", GuestLanguage.PYTHON)).startKind())
        .isEqualTo(StartKind.SNAPSHOT_RESTORE);
  }

  @Test
  void aGuestALauncherDiedRestoringIsRemovedByTheNextLauncher() throws Exception {
    // Launchers in processes of their own, whose QEMU is a wrapper that, once told to, stops
    // itself before it starts a restore: the restore cannot finish, and the launcher is killed.
    Path bin = Files.createDirectories(stateDir.resolve("bin"));
    Path stopFile = stateDir.resolve("stop-restores");
    Path wrapper = bin.resolve(QemuBinary.QEMU);
    Files.writeString(
        wrapper,
        String.join(
            "\n",
            "#!/bin/sh",
            "case \" $* \" in *\" -incoming \"*) [ -e '"
                + stopFile
                + "' ] && kill -STOP $$ ;; esac",
            "exec '" + QemuBinary.qemu() + "' \"$@\"",
            ""));
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    launcherProcess(bin, "snap-origin").waitFor(); // cold-boots and saves this shape's snapshot
    launcher.find("snap-origin").orElseThrow().kill();
    Files.createFile(stopFile);
    Process crashing = launcherProcess(bin, "stuck");
    Path vm = stateDir.resolve("vms").resolve("stuck");
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.exists(vm.resolve("state.json")) && !qemuOf(vm).isEmpty());
      long pid = qemuOf(vm).get(0);
      crashing.destroyForcibly().waitFor();
      signal("CONT", pid); // QEMU starts, waiting for a snapshot no one will send

      assertThat(launcher.list()).extracting(VmHandle::id).doesNotContain("stuck");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> qemuOf(vm).isEmpty()); // gone, or a zombie no one has reaped yet
      assertThat(vm).doesNotExist();
    } finally {
      crashing.destroyForcibly().waitFor();
      qemuOf(vm).forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  /** {@link StartOneVm} in a JVM of its own, with {@code bin} first on its PATH. */
  private Process launcherProcess(Path bin, String id) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StartOneVm.class.getName(),
                stateDir.toString(),
                cacheDir.toString(),
                id)
            .inheritIO();
    builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    return builder.start();
  }

  private static void signal(String name, long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).start().waitFor())
        .isZero();
  }

  private static List<Long> qemuOf(Path vm) {
    return ProcFs.findByMarker(vm.toAbsolutePath() + "/");
  }

  @Test
  void persistentDisksMountOnRestoredGuestsAndKeepTheirData() throws Exception {
    VmSpec shape = VmSpec.of("disk-first", GuestLanguage.PYTHON).withPersistMib(64);
    VmHandle first = start(shape);
    assertThat(first.startKind()).isEqualTo(StartKind.COLD_BOOT);
    assertThat(sh(first, "echo first > /work/mine; cat /work/mine")).isEqualTo("first");
    first.stop(STOP);

    VmHandle other = start(VmSpec.of("disk-other", GuestLanguage.PYTHON).withPersistMib(64));
    assertThat(other.startKind()).isEqualTo(StartKind.SNAPSHOT_RESTORE);
    // Its own disk: empty, writable, and a real ext4 filesystem on /work.
    assertThat(sh(other, "ls /work | grep -v lost+found; echo other > /work/mine; cat /work/mine"))
        .isEqualTo("other");
    assertThat(sh(other, "awk '$2 == \"/work\" {print $3}' /proc/mounts")).isEqualTo("ext4");
    other.stop(STOP);

    VmHandle again = start(shape);
    assertThat(again.startKind()).isEqualTo(StartKind.SNAPSHOT_RESTORE);
    assertThat(sh(again, "cat /work/mine")).isEqualTo("first");
  }

  @Test
  void networkedGuestsHaveEth0UpAfterRestore() throws Exception {
    start(VmSpec.of("net-first", GuestLanguage.PYTHON).withNetwork(GuestNetwork.FULL)).stop(STOP);
    VmHandle vm =
        start(VmSpec.of("net-clone", GuestLanguage.PYTHON).withNetwork(GuestNetwork.FULL));
    assertThat(vm.startKind()).isEqualTo(StartKind.SNAPSHOT_RESTORE);
    // Up with a carrier. Not operstate: the kernel's linkwatch sets that up to a second after the
    // template's boot, which may come after the snapshot was taken; packets flow either way.
    assertThat(
            sh(
                vm,
                "cat /sys/class/net/eth0/carrier; echo $(( $(cat /sys/class/net/eth0/flags) & 1 ))"))
        .isEqualTo("1\n1");
    assertThat(sh(vm, "awk 'NR > 1 && $2 == \"00000000\" {print $1}' /proc/net/route"))
        .isEqualTo("eth0");
  }

  private List<Path> snapshotFiles() throws IOException {
    try (Stream<Path> files = Files.list(cacheDir.resolve("snapshots"))) {
      return files.toList();
    }
  }

  private static List<String> state(VmHandle vm) {
    return List.of(sh(vm, "python3 -c \"" + SHOW_STATE + "\"").split("\n"));
  }

  private static String sh(VmHandle vm, String command) {
    ExecResult result = vm.exec(ExecRequest.shell(command));
    assertThat(result.exitCode()).as(result.stderrText()).isZero();
    return result.stdoutText().strip();
  }
}
