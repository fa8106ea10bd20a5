package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest with network reaches the world but not the host's own addresses, link-local or private
 * ranges, whatever the guest does: the host's firewall decides, not the guest. The world here is a
 * server in a network namespace this test creates, addressed only there.
 */
@ExtendWith(RequiresQemu.class)
class GuestNetworkIsolationIT {
  private static final int PORT = 8080;

  /** Deletes the guest's reject route for 10.0.2.2 with SIOCDELRT; needs root in the guest. */
  private static final String DELETE_REJECT_ROUTE =
      String.join(
          "\n",
          "import fcntl, socket, struct",
          "def sin(a): return struct.pack('HH4s8x', socket.AF_INET, 0, socket.inet_aton(a))",
          "RTF_UP, RTF_HOST, RTF_REJECT, SIOCDELRT = 0x1, 0x4, 0x200, 0x890C",
          "rt = struct.pack('L16s16s16sHhLPhPLLH6x', 0, sin('10.0.2.2'), sin('0.0.0.0'),",
          "                 sin('255.255.255.255'), RTF_UP | RTF_HOST | RTF_REJECT, 0, 0, 0, 0, 0, 0, 0, 0)",
          "fcntl.ioctl(socket.socket(), SIOCDELRT, rt)",
          "print([line.split()[1] for line in open('/proc/net/route').readlines()[1:]])");

  @TempDir static Path stateDir;
  @TempDir static Path rootedStateDir;
  static QemuLauncher launcher;
  static QemuLauncher rootedLauncher;
  static VmHandle guest;
  static VmHandle rooted;
  static Outside outside;

  @BeforeAll
  static void boot() throws Exception {
    Guests.prepareImages(GuestLanguage.PYTHON);
    Path server = Path.of("src", "test", "resources", "netns", "TcpHello.java").toAbsolutePath();
    outside =
        Outside.create(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                server.toString(),
                String.valueOf(PORT)));
    launcher = Guests.launcher(stateDir);
    guest =
        launcher.start(VmSpec.of("isolated", GuestLanguage.PYTHON).withNetwork(GuestNetwork.FULL));
    rootedLauncher =
        new QemuLauncher(
            LauncherConfig.defaults().withStateDir(rootedStateDir).withGuestCommandsAsRoot());
    rooted =
        rootedLauncher.start(
            VmSpec.of("rooted", GuestLanguage.PYTHON).withNetwork(GuestNetwork.FULL));
  }

  @AfterAll
  static void stop() {
    for (QemuLauncher l : new QemuLauncher[] {launcher, rootedLauncher}) {
      if (l != null) {
        l.list().forEach(vm -> vm.stop(Duration.ofSeconds(5)));
        l.close();
      }
    }
    if (outside != null) {
      outside.close();
    }
  }

  @Test
  void reachesAServerOutsideTheHost() {
    assertThat(connect(outside.publicAddress())).isEqualTo("hello");
  }

  @Test
  void cannotReachLinkLocalOrPrivateAddressesOutsideTheHost() {
    assertThat(connect(outside.linkLocalAddress())).startsWith("refused");
    assertThat(connect(outside.privateAddress())).startsWith("refused");
  }

  @Test
  void cannotReachTheNodesOwnAddress() throws Exception {
    Optional<InetAddress> own = ownIpv4Address();
    Assumptions.assumeTrue(
        own.isPresent(), "this host has no non-loopback IPv4 address for the guest to try");
    try (ServerSocket hostService = new ServerSocket()) {
      hostService.bind(new InetSocketAddress(0), 1); // every address of the host
      hostService.setSoTimeout(500);

      String answer =
          connect(own.get().getHostAddress(), hostService.getLocalPort(), "connected-to-host");

      assertThat(answer).startsWith("refused");
      assertThatThrownBy(hostService::accept)
          .as("no connection reached the host service")
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void aGuestThatBecameRootAndDroppedItsRejectRouteStillCannotReachHostLoopback() throws Exception {
    ExecResult whoami = rooted.exec(ExecRequest.argv("id", "-u"));
    ExecResult dropRoute = rooted.exec(ExecRequest.argv("python3", "-c", DELETE_REJECT_ROUTE));
    assertThat(whoami.stdoutText()).isEqualTo("0\n");
    assertThat(dropRoute.exitCode()).as(dropRoute.stderrText()).isZero();
    assertThat(dropRoute.stdoutText())
        .as("no route has 10.0.2.2 as its destination")
        .contains("'0002000A'")
        .doesNotContain("'0202000A'");

    try (ServerSocket hostService = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      hostService.setSoTimeout(500);

      String answer = connect(rooted, "10.0.2.2", hostService.getLocalPort(), "connected-to-host");

      assertThat(answer).startsWith("refused");
      assertThatThrownBy(hostService::accept)
          .as("no connection reached the host's loopback")
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  private static String connect(String address) {
    return connect(guest, address, PORT, null);
  }

  private static String connect(String address, int port, String onConnect) {
    return connect(guest, address, port, onConnect);
  }

  /** What the guest read from address:port, or "refused: ..." when it could not connect. */
  private static String connect(VmHandle vm, String address, int port, String onConnect) {
    String script =
        String.join(
            "\n",
            "import socket",
            "try:",
            "    s = socket.create_connection(('" + address + "', " + port + "), timeout=5)",
            onConnect == null
                ? "    print(s.recv(64).decode().strip())"
                : "    print('" + onConnect + "')",
            "except OSError as e:",
            "    print('refused: %s' % e)");
    ExecResult result =
        vm.exec(ExecRequest.argv("python3", "-c", script).withTimeout(Duration.ofSeconds(30)));
    return result.stdoutText().strip();
  }

  private static Optional<InetAddress> ownIpv4Address() throws IOException {
    return NetworkInterface.networkInterfaces()
        .filter(i -> !i.getName().startsWith("era"))
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .findFirst();
  }
}
