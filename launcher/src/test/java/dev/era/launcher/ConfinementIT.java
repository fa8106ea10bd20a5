package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.era.launcher.egress.NameResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A confined VM (a cluster's VM in its reservation pod) runs in the pod's cgroups and network
 * namespace: the pod's memory limit covers QEMU, so a guest that touches more than the pod allows
 * is stopped alone, a guest with network has its firewall rules in the pod's namespace, and an
 * egress guest's proxy is there too.
 */
@ExtendWith(RequiresQemu.class)
class ConfinementIT {
  @TempDir Path stateDir;
  private static final int PORT = 8080;

  private QemuLauncher launcher;
  private PodStandIn pod;
  private Outside outside;
  private QemuUserHome home;

  @BeforeEach
  void asRoot() {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "cgroups and network namespaces are made as root");
    Guests.prepareImages(GuestLanguage.PYTHON);
    launcher = Guests.launcher(stateDir);
  }

  @AfterEach
  void stop() throws Exception {
    if (launcher != null) {
      launcher.list().forEach(vm -> vm.stop(Duration.ofSeconds(5)));
      launcher.close();
    }
    if (outside != null) {
      outside.close();
    }
    if (pod != null) {
      pod.close();
    }
    if (home != null) {
      home.close();
    }
  }

  @Test
  void aConfinedVmRunsInItsPodsCgroupsAndNetworkNamespace() throws Exception {
    pod = PodStandIn.start("era-it-confined-" + ProcessHandle.current().pid(), 1024);

    VmHandle vm =
        launcher.start(
            VmSpec.of("confined-1", GuestLanguage.PYTHON).withNetwork(GuestNetwork.FULL),
            pod.confinement(),
            StartListener.SILENT);

    assertThat(netns(vm.pid())).isEqualTo(netns(pod.pid())).isNotEqualTo(netns(self()));
    assertThat(cgroups(vm.pid())).isEqualTo(cgroups(pod.pid()));
    assertThat(Files.readString(pod.memoryCgroup().resolve("cgroup.procs")))
        .contains(Long.toString(vm.pid()));
    assertThat(vm.exec(ExecRequest.argv("echo", "inside")).stdoutText()).isEqualTo("inside\n");
    assertThat(run("nsenter", "--net=/proc/" + pod.pid() + "/ns/net", "nft", "list", "ruleset"))
        .as("the guest's firewall rules, in the pod's namespace")
        .contains("table inet era_guests", "fib daddr type local reject");
  }

  @Test
  void aVmThatTouchesMoreThanItsPodAllowsIsStoppedAlone() throws Exception {
    pod = PodStandIn.start("era-it-oom-" + ProcessHandle.current().pid(), 2048);
    VmHandle outside = launcher.start(VmSpec.of("outside-1", GuestLanguage.PYTHON));
    VmHandle confined =
        launcher.start(
            VmSpec.of("oom-1", GuestLanguage.PYTHON).withMemoryMib(512),
            pod.confinement(),
            StartListener.SILENT);

    // Once the guest has given back what its boot left behind (free page reporting), the pod's
    // allowance becomes what QEMU holds and 128 MiB, which the command then exceeds.
    long idle =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> Guests.rssKib(confined.pid()) / 1024, rss -> rss < 300);
    pod.limitMemory(idle + 128);
    Execution hungry = confined.start(Guests.touching(350), ExecListener.IGNORE);

    VmExit exit = confined.onExit().get(3, TimeUnit.MINUTES);
    assertThat(exit.reason()).isEqualTo("QEMU was killed by signal 9");
    // The command's end is seen when the guest's socket closes, a moment after QEMU's.
    assertThat(hungry.result()).failsWithin(Duration.ofSeconds(10));
    assertThat(pod.oomKills()).as("OOM kills in the pod's memory cgroup").isPositive();
    assertThat(pod.isAlive()).as("the pod's own process").isTrue();
    assertThat(outside.isAlive()).isTrue();
    assertThat(outside.exec(ExecRequest.argv("echo", "still here")).stdoutText())
        .isEqualTo("still here\n");
  }

  /**
   * An egress VM's proxy listens in the pod's namespace and connects out from there: the server is
   * reachable from the pod's namespace alone, so the page coming back proves where the proxy's
   * upstream socket was made. QEMU's own sockets there reach nothing but the proxy.
   */
  @Test
  void aConfinedEgressVmReachesAllowedNamesThroughAProxyInItsPod(@TempDir Path served)
      throws Exception {
    pod = PodStandIn.start("era-it-egress-" + ProcessHandle.current().pid(), 1024);
    Files.writeString(served.resolve("page.txt"), "from the pod's side");
    Path server = Path.of("src", "test", "resources", "netns", "http_server.py").toAbsolutePath();
    outside =
        Outside.reachedFrom(
            pod.pid(),
            List.of("python3", server.toString(), Integer.toString(PORT), served.toString()));
    home = QemuUserHome.create();
    launcher.close();
    launcher = new QemuLauncher(home.config());
    InetAddress address = InetAddress.getByName(outside.publicAddress());
    NameResolver resolver =
        name -> {
          if (name.equals("allowed.test")) {
            return List.of(address);
          }
          throw new UnknownHostException(name);
        };
    launcher.resolveEgressNamesWith(resolver);

    VmHandle vm =
        launcher.start(
            VmSpec.of("egress-1", GuestLanguage.PYTHON).withEgress(List.of("allowed.test:" + PORT)),
            pod.confinement(),
            StartListener.SILENT);

    assertThat(netns(vm.pid())).isEqualTo(netns(pod.pid()));
    String[] fetch = {
      "import urllib.request",
      "print(urllib.request.urlopen('http://allowed.test:"
          + PORT
          + "/page.txt', timeout=20).read().decode())"
    };
    assertThat(python(vm, fetch)).isEqualTo("from the pod's side");
    assertThat(
            python(
                vm,
                "import socket",
                "try:",
                "    socket.create_connection(('"
                    + outside.publicAddress()
                    + "', "
                    + PORT
                    + "), timeout=5)",
                "    print('connected')",
                "except OSError as e:",
                "    print('refused: %s' % e)"))
        .as("QEMU's own socket to the server, past the proxy, on the route the proxy took")
        .startsWith("refused");
    assertThat(run("nsenter", "--net=/proc/" + pod.pid() + "/ns/net", "nft", "list", "ruleset"))
        .contains("meta skuid", "redirect to :");

    // A new launcher (the node agent restarted) opens the proxy again in the VM's namespace.
    launcher.close();
    launcher = new QemuLauncher(home.config());
    launcher.resolveEgressNamesWith(resolver);
    VmHandle adopted = launcher.find("egress-1").orElseThrow();
    assertThat(adopted.pid()).isEqualTo(vm.pid());
    assertThat(python(adopted, fetch)).isEqualTo("from the pod's side");
  }

  private static String python(VmHandle vm, String... lines) {
    ExecResult result =
        vm.exec(
            ExecRequest.argv("python3", "-c", String.join("\n", lines))
                .withTimeout(Duration.ofSeconds(60)));
    assertThat(result.exitCode()).as(result.stderrText()).isZero();
    return result.stdoutText().strip();
  }

  private static long self() {
    return ProcessHandle.current().pid();
  }

  private static Path netns(long pid) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net"));
  }

  private static List<String> cgroups(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(output).isZero();
    return output;
  }
}
