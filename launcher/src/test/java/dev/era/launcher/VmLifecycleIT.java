package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.era.launcher.image.GuestImage;
import dev.era.launcher.image.GuestImages;
import dev.era.launcher.qemu.TestQmp;
import dev.era.launcher.qemu.VmPaths;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting, losing, re-adopting and stopping real VMs; each test leaves the state directory empty.
 */
@ExtendWith(RequiresQemu.class)
class VmLifecycleIT {
  @TempDir Path stateDir;
  QemuLauncher launcher;

  @BeforeAll
  static void images() {
    Guests.prepareImages(GuestLanguage.PYTHON);
  }

  @BeforeEach
  void open() {
    launcher = Guests.launcher(stateDir);
  }

  @AfterEach
  void close() {
    for (VmHandle vm : launcher.list()) {
      vm.kill();
    }
    launcher.close();
  }

  @Test
  void detectsAQemuKilledFromOutside() throws Exception {
    VmHandle vm = launcher.start(VmSpec.of("victim", GuestLanguage.PYTHON));

    ProcessHandle.of(vm.pid()).orElseThrow().destroyForcibly();

    VmExit exit = vm.onExit().get(2, TimeUnit.SECONDS);
    assertThat(exit.requested()).isFalse();
    assertThat(exit.reason()).contains("signal 9");
    assertThat(vm.isAlive()).isFalse();
    assertThatThrownBy(() -> vm.exec(ExecRequest.argv("true")))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("VM victim is not running (QEMU was killed by signal 9")
        .hasMessageContaining("start it again");
    assertThat(stateDir.resolve("vms/victim")).doesNotExist();
    assertThat(launcher.find("victim")).isEmpty();
  }

  @Test
  void failsACommandInFlightWhenTheVmDies() throws Exception {
    VmHandle vm = launcher.start(VmSpec.of("dying", GuestLanguage.PYTHON));
    Execution sleeping = vm.start(ExecRequest.argv("sleep", "100"), ExecListener.IGNORE);

    ProcessHandle.of(vm.pid()).orElseThrow().destroyForcibly();

    assertThatThrownBy(() -> sleeping.result().get(3, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LaunchException.class)
        .hasMessageContaining("VM dying is not running (QEMU was killed by signal 9");
  }

  @Test
  void aSecondLauncherReadoptsARunningVmAndStopLeavesNothingBehind() throws Exception {
    long socketsBefore = Guests.openSockets();
    VmHandle first = launcher.start(VmSpec.of("keeper", GuestLanguage.PYTHON));
    first.putFile("note.txt", "from the first launcher".getBytes(StandardCharsets.UTF_8));
    launcher.close();

    launcher = Guests.launcher(stateDir);
    VmHandle adopted = launcher.find("keeper").orElseThrow();
    ByteArrayOutputStream note = new ByteArrayOutputStream();
    adopted.getFile("note.txt", note);

    assertThat(adopted.pid()).isEqualTo(first.pid());
    assertThat(adopted.bootedAt()).isEqualTo(first.bootedAt());
    assertThat(note.toString(StandardCharsets.UTF_8)).isEqualTo("from the first launcher");
    assertThat(adopted.exec(ExecRequest.argv("python3", "-c", "print(2 + 2)")).stdoutText())
        .isEqualTo("4\n");
    assertThat(launcher.list()).extracting(VmHandle::id).containsExactly("keeper");
    assertThatThrownBy(() -> launcher.start(VmSpec.of("keeper", GuestLanguage.PYTHON)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("already runs on this host");
    assertThatThrownBy(() -> first.exec(ExecRequest.argv("true")))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("launcher that managed VM keeper was closed");

    adopted.stop(Duration.ofSeconds(5));

    assertThat(adopted.onExit().get(1, TimeUnit.SECONDS).requested()).isTrue();
    assertThat(adopted.isAlive()).isFalse();
    assertThat(Guests.processesOf(stateDir, "keeper")).isEmpty();
    assertThat(stateDir.resolve("vms/keeper")).doesNotExist();
    try (var left = Files.list(stateDir.resolve("vms"))) {
      assertThat(left).isEmpty();
    }
    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(Guests.openSockets()).isEqualTo(socketsBefore));
    assertThatThrownBy(() -> adopted.exec(ExecRequest.argv("true")))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("VM keeper is not running (it was stopped)");
  }

  @Test
  void aCommandOutlivesItsLauncherAndTheNextOneAttachesToIt() throws Exception {
    VmHandle first = launcher.start(VmSpec.of("follow", GuestLanguage.PYTHON));
    StringBuffer heardFirst = new StringBuffer();
    // Runs until the test lets it end, which it does once the next launcher has attached.
    Execution running =
        first.start(
            ExecRequest.shell("echo a; while [ ! -e gate ]; do sleep 0.1; done; echo b"),
            stdoutTo(heardFirst));
    await().atMost(Duration.ofSeconds(10)).until(() -> heardFirst.toString().equals("a\n"));
    launcher.close();
    assertThatThrownBy(() -> running.result().get(5, TimeUnit.SECONDS))
        .hasMessageContaining("launcher that managed VM follow was closed");

    launcher = Guests.launcher(stateDir);
    VmHandle adopted = launcher.find("follow").orElseThrow();
    StringBuffer heardNext = new StringBuffer();
    Execution attached =
        adopted.attach(running.id(), ExecRequest.DEFAULT_MAX_OUTPUT, false, stdoutTo(heardNext));
    assertThat(attached.result()).as("still running").isNotDone();
    assertThat(adopted.exec(ExecRequest.shell("touch gate")).exitCode()).isZero();
    ExecResult result = attached.result().get(30, TimeUnit.SECONDS);

    assertThat(attached.id()).isEqualTo(running.id());
    assertThat(result.stdoutText()).isEqualTo("b\n");
    assertThat(heardNext.toString()).isEqualTo("b\n");
    assertThat(result.exitCode()).isZero();
    assertThat(heardFirst.toString())
        .as("nothing more reached the closed launcher")
        .isEqualTo("a\n");
    assertThatThrownBy(
            () ->
                adopted.attach(
                    running.id(), ExecRequest.DEFAULT_MAX_OUTPUT, false, ExecListener.IGNORE))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("NO_SUCH_EXEC");
    assertThat(adopted.exec(ExecRequest.argv("echo", "still here")).stdoutText())
        .isEqualTo("still here\n");
  }

  private static ExecListener stdoutTo(StringBuffer heard) {
    return new ExecListener() {
      @Override
      public void onStdout(byte[] chunk) {
        heard.append(new String(chunk, StandardCharsets.UTF_8));
      }

      @Override
      public void onStderr(byte[] chunk) {}
    };
  }

  @Test
  void stopAsksQemuToQuitWhenTheGuestDoesNotPowerOff() throws Exception {
    VmHandle vm = launcher.start(VmSpec.of("frozen-guest", GuestLanguage.PYTHON));
    // Pauses the vCPUs: the agent cannot answer SHUTDOWN, QEMU still listens.
    TestQmp.execute(VmPaths.of(stateDir, vm.id()).qmpSocket(), "stop");

    vm.stop(Duration.ofSeconds(2));

    VmExit exit = vm.onExit().get(1, TimeUnit.SECONDS);
    assertThat(exit.requested()).isTrue();
    assertThat(exit.reason()).as("QEMU quit on its own, no signal needed").doesNotContain("signal");
    assertLeftNothing(vm.id());
  }

  @Test
  void stopEndsAGuestThatStoppedReadingItsChannelMidWrite() throws Exception {
    VmHandle vm = launcher.start(VmSpec.of("deaf-guest", GuestLanguage.PYTHON));
    // A paused guest reads nothing: once the channel's buffers are full, the file's write blocks.
    TestQmp.execute(VmPaths.of(stateDir, vm.id()).qmpSocket(), "stop");
    byte[] big = new byte[64 << 20];
    ByteArrayInputStream source = new ByteArrayInputStream(big);
    CompletableFuture<Void> put =
        CompletableFuture.runAsync(() -> vm.putFile("big.bin", source, 0600));
    // The write has begun (bytes were read), and it stalls short of the end.
    await().atMost(Duration.ofSeconds(10)).until(() -> source.available() < big.length);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !put.isDone() && source.available() > 0);

    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> vm.stop(Duration.ofSeconds(2)),
        "stop() waited behind a write the guest never read");

    assertThat(vm.onExit().get(5, TimeUnit.SECONDS).requested()).isTrue();
    assertThatThrownBy(() -> put.get(15, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LaunchException.class);
    assertLeftNothing(vm.id());
  }

  @Test
  void stopKillsAQemuThatAnswersNothing() throws Exception {
    VmHandle vm = launcher.start(VmSpec.of("frozen-qemu", GuestLanguage.PYTHON));
    assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(vm.pid())).start().waitFor())
        .isZero();

    vm.stop(Duration.ofSeconds(1));

    VmExit exit = vm.onExit().get(1, TimeUnit.SECONDS);
    assertThat(exit.requested()).isTrue();
    assertThat(exit.reason()).contains("signal 9");
    assertLeftNothing(vm.id());
  }

  private void assertLeftNothing(String id) {
    assertThat(Guests.processesOf(stateDir, id)).isEmpty();
    assertThat(stateDir.resolve("vms").resolve(id)).doesNotExist();
    assertThat(launcher.find(id)).isEmpty();
  }

  @Test
  void removesTheStateOfAVmThatDiedWhileNoLauncherWatched() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path dir = Files.createDirectories(stateDir.resolve("vms/ghost"));
    Files.writeString(
        dir.resolve("state.json"),
        "{\"version\":1,\"pid\":"
            + gone.pid()
            + ",\"spec\":{\"id\":\"ghost\","
            + "\"language\":\"PYTHON\",\"vcpus\":1,\"memoryMib\":256,\"network\":\"NONE\",\"persistMib\":0},"
            + "\"accelerator\":\"TCG\",\"bootedAt\":\""
            + Instant.now()
            + "\"}");

    assertThat(launcher.list()).isEmpty();
    assertThat(dir).doesNotExist();
  }

  @Test
  void keepsThePersistentDiskAcrossStopAndStart() throws Exception {
    VmSpec spec = VmSpec.of("saver", GuestLanguage.PYTHON).withPersistMib(64);
    VmHandle vm = launcher.start(spec);
    ExecResult write =
        vm.exec(ExecRequest.shell("echo kept > /work/keep.txt && mount | grep ' /work '"));
    assertThat(write.succeeded()).as(write.stderrText()).isTrue();
    assertThat(write.stdoutText()).contains("ext4");
    vm.stop(Duration.ofSeconds(5));
    Path disk = stateDir.resolve("disks/saver.img");
    assertThat(disk).exists();

    VmHandle again = launcher.start(spec);
    assertThat(again.exec(ExecRequest.argv("cat", "/work/keep.txt")).stdoutText())
        .isEqualTo("kept\n");
    assertThatThrownBy(() -> launcher.deleteDisk("saver"))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("stop it before deleting");
    again.stop(Duration.ofSeconds(5));

    launcher.deleteDisk("saver");
    assertThat(disk).doesNotExist();
  }

  @Test
  void aGuestThatCannotMountItsRootQuotesTheConsoleAndLeavesNothingBehind() throws Exception {
    Path cache = brokenImageCache(GuestLanguage.PYTHON, false);
    try (QemuLauncher broken =
        new QemuLauncher(LauncherConfig.defaults().withStateDir(stateDir).withCacheDir(cache))) {

      assertThatThrownBy(() -> broken.start(VmSpec.of("no-root", GuestLanguage.PYTHON)))
          .isInstanceOf(LaunchException.class)
          .hasMessageStartingWith("QEMU ended while VM no-root was booting")
          .hasMessageContaining("Last console lines:")
          .hasMessageContaining("root disk");
    } finally {
      removeLinks(cache);
    }
    assertThat(stateDir.resolve("vms/no-root")).doesNotExist();
    assertThat(Guests.processesOf(stateDir, "no-root")).isEmpty();
  }

  @Test
  void aKernelQemuCannotLoadQuotesQemu() throws Exception {
    Path cache = brokenImageCache(GuestLanguage.PYTHON, true);
    try (QemuLauncher broken =
        new QemuLauncher(LauncherConfig.defaults().withStateDir(stateDir).withCacheDir(cache))) {

      assertThatThrownBy(() -> broken.start(VmSpec.of("no-kernel", GuestLanguage.PYTHON)))
          .isInstanceOf(LaunchException.class)
          .hasMessageStartingWith(
              "QEMU ended while VM no-kernel was booting (QEMU exited with status 1)")
          .hasMessageContaining("QEMU said:");
    } finally {
      removeLinks(cache);
    }
    assertThat(stateDir.resolve("vms/no-kernel")).doesNotExist();
  }

  /** A copy of the image cache (links) whose kernel or root filesystem is garbage. */
  private Path brokenImageCache(GuestLanguage language, boolean breakKernel) throws Exception {
    Path real = GuestImages.defaultCacheDir();
    GuestImage image = new GuestImages(real).find(language).orElseThrow();
    Path cache = Files.createDirectories(stateDir.resolve("broken-cache"));
    for (Path file : List.of(image.kernel(), image.initramfs(), image.rootfs())) {
      Path copy = cache.resolve(real.relativize(file));
      Files.createDirectories(copy.getParent());
      if (file.equals(breakKernel ? image.kernel() : image.rootfs())) {
        Files.write(copy, new byte[64 * 1024]);
      } else {
        Files.createSymbolicLink(copy, file);
      }
    }
    return cache;
  }

  /**
   * The links point into the shared image cache: remove them before JUnit's cleanup walks the temp
   * dir.
   */
  private static void removeLinks(Path cache) throws Exception {
    try (var files = Files.walk(cache)) {
      for (Path link : files.filter(Files::isSymbolicLink).toList()) {
        Files.delete(link);
      }
    }
  }

  @Test
  void rejectsSpecsTheHostCannotRun() {
    int cores = Runtime.getRuntime().availableProcessors();

    assertThatThrownBy(
            () -> launcher.start(VmSpec.of("big", GuestLanguage.PYTHON).withVcpus(cores + 1)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("ask for at most " + cores);
    assertThatThrownBy(
            () -> launcher.start(VmSpec.of("tiny", GuestLanguage.PYTHON).withMemoryMib(64)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("minimum of 128 MiB");
    assertThatThrownBy(
            () ->
                launcher.start(
                    VmSpec.of("huge", GuestLanguage.PYTHON).withMemoryMib(Integer.MAX_VALUE)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("more than this host has available");
    assertThatThrownBy(() -> launcher.start(VmSpec.of("../x", GuestLanguage.PYTHON)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("invalid");
    assertThat(stateDir.resolve("vms")).doesNotExist();
  }
}
