package dev.era.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import dev.era.launcher.egress.EgressDenial;
import dev.era.launcher.qemu.VmPaths;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest with an egress allow-list reaches allowed names through its proxy, and nothing else, even
 * as root. The allowed name is mapped by the proxy's test resolver to a server in a network
 * namespace this test creates. A Python guest and a Node guest share the allow-list; the Node one
 * runs npm against a registry served there.
 */
@ExtendWith(RequiresQemu.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EgressIT {
  private static final int PORT = 8080;
  private static final String PAGE = "hello from outside";

  @TempDir static Path stateDir;
  @TempDir static Path served;
  static QemuLauncher launcher;
  static VmHandle guest;
  static VmHandle nodeGuest;
  static Outside outside;
  static final ConcurrentLinkedQueue<EgressDenial> denials = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void boot() throws Exception {
    Guests.prepareImages(GuestLanguage.PYTHON, GuestLanguage.NODE);
    Files.writeString(served.resolve("page.txt"), PAGE);
    LocalIndex.python(served);
    LocalIndex.node(served, "http://allowed.test:" + PORT);
    Path server = Path.of("src", "test", "resources", "netns", "http_server.py").toAbsolutePath();
    outside =
        Outside.create(
            List.of("python3", server.toString(), String.valueOf(PORT), served.toString()));
    launcher =
        new QemuLauncher(
            LauncherConfig.defaults().withStateDir(stateDir).withGuestCommandsAsRoot());
    InetAddress outsideAddress = InetAddress.getByName(outside.publicAddress());
    launcher.resolveEgressNamesWith(
        name -> {
          if (name.equals("allowed.test") || name.equals("other.test")) {
            return List.of(outsideAddress);
          }
          throw new UnknownHostException(name);
        });
    launcher.onEgressDenied(denials::add);
    guest =
        launcher.start(
            VmSpec.of("egress", GuestLanguage.PYTHON).withEgress(List.of("allowed.test:8080")));
    nodeGuest =
        launcher.start(
            VmSpec.of("egress-node", GuestLanguage.NODE).withEgress(List.of("allowed.test:8080")));
  }

  @AfterAll
  static void stop() {
    if (launcher != null) {
      launcher.list().forEach(vm -> vm.stop(Duration.ofSeconds(5)));
      launcher.close();
    }
    if (outside != null) {
      outside.close();
    }
  }

  @Test
  void anAllowedNameWorksThroughTheProxyForPlainHttpAndConnect() {
    assertThat(python("import urllib.request", "print(" + urlopen("allowed.test") + ")"))
        .isEqualTo(PAGE);
    String tunnel =
        python(
            "import os, socket",
            "host, port = os.environ['HTTPS_PROXY'][len('http://'):].split(':')",
            "s = socket.create_connection((host, int(port)), timeout=20)",
            "s.sendall(b'CONNECT allowed.test:" + PORT + " HTTP/1.1\\r\\n\\r\\n')",
            "head = s.recv(4096)",
            "s.sendall(b'GET /page.txt HTTP/1.1\\r\\nHost: allowed.test\\r\\nConnection: close\\r\\n\\r\\n')",
            "body = b''",
            "while True:",
            "    chunk = s.recv(4096)",
            "    if not chunk: break",
            "    body += chunk",
            "print(head.split(b'\\r\\n')[0].decode(), body.endswith(b'" + PAGE + "'))");
    assertThat(tunnel).isEqualTo("HTTP/1.1 200 Connection established True");
  }

  @Test
  void pipInstallsFromAnAllowedIndexThroughTheProxy() {
    ExecResult install =
        guest.exec(
            ExecRequest.argv(
                    "python3",
                    "-m",
                    "pip",
                    "install",
                    "--no-cache-dir",
                    "--disable-pip-version-check",
                    "--break-system-packages",
                    "--target",
                    "/tmp/site",
                    "--index-url",
                    "http://allowed.test:" + PORT + "/simple/",
                    "--trusted-host",
                    "allowed.test",
                    LocalIndex.PYTHON_PACKAGE)
                .withTimeout(Duration.ofMinutes(5)));
    assertThat(install.exitCode()).as(install.stdoutText() + install.stderrText()).isZero();

    assertThat(
            python(
                "import sys",
                "sys.path.insert(0, '/tmp/site')",
                "import " + LocalIndex.PYTHON_PACKAGE,
                "print(" + LocalIndex.PYTHON_PACKAGE + ".VALUE)"))
        .isEqualTo(LocalIndex.PYTHON_VALUE);
  }

  @Test
  void npmInstallsFromAnAllowedRegistryThroughTheProxy() {
    ExecResult install = npmInstall("allowed.test", "/tmp/app");
    assertThat(install.exitCode()).as(install.stdoutText() + install.stderrText()).isZero();

    ExecResult installed =
        nodeGuest.exec(
            ExecRequest.argv(
                    "node",
                    "-e",
                    "const dir = '/tmp/app/node_modules/"
                        + LocalIndex.NODE_PACKAGE
                        + "';"
                        + " console.log(require('fs').readdirSync(dir).sort().join(' '));"
                        + " console.log(require(dir));")
                .withTimeout(Duration.ofSeconds(60)));
    assertThat(installed.exitCode()).as(installed.stderrText()).isZero();
    assertThat(installed.stdoutText().strip())
        .isEqualTo("index.js package.json\n" + LocalIndex.NODE_VALUE);
  }

  @Test
  void npmFromARegistryNotInTheListIsRefused() {
    denials.clear();
    ExecResult install = npmInstall("other.test", "/tmp/refused");

    assertThat(install.exitCode()).isNotZero();
    assertThat(install.stdoutText() + install.stderrText()).contains("403");
    assertThat(denials)
        .extracting(EgressDenial::vmId, EgressDenial::destination)
        .contains(tuple("egress-node", "other.test:" + PORT));
    ExecResult listed =
        nodeGuest.exec(
            ExecRequest.argv("ls", "/tmp/refused/node_modules/" + LocalIndex.NODE_PACKAGE)
                .withTimeout(Duration.ofSeconds(30)));
    assertThat(listed.exitCode()).isNotZero();
  }

  /** npm under TCG takes tens of seconds even for one tiny package. */
  private static ExecResult npmInstall(String registryHost, String prefix) {
    return nodeGuest.exec(
        ExecRequest.argv(
                "npm",
                "install",
                "--registry",
                "http://" + registryHost + ":" + PORT + "/",
                "--prefix",
                prefix,
                "--cache",
                prefix + "-cache",
                "--fetch-retries",
                "0",
                "--no-audit",
                "--no-fund",
                "--no-update-notifier",
                LocalIndex.NODE_PACKAGE)
            .withTimeout(Duration.ofMinutes(5)));
  }

  @Test
  void dnsAnswersAllowedNamesOnly() {
    String answers =
        python(
            "import socket",
            "print(socket.gethostbyname('allowed.test'))",
            "try:",
            "    print(socket.gethostbyname('other.test'))",
            "except OSError as e:",
            "    print('refused')");
    assertThat(answers).isEqualTo(outside.publicAddress() + "\nrefused");
  }

  @Test
  void aNameNotInTheListIsRefusedAndReported() {
    denials.clear();
    String answer =
        python(
            "import urllib.request, urllib.error",
            "try:",
            "    print(" + urlopen("other.test") + ")",
            "except urllib.error.HTTPError as e:",
            "    print(e.code)");

    assertThat(answer).isEqualTo("403");
    assertThat(denials)
        .extracting(EgressDenial::vmId, EgressDenial::destination)
        .contains(tuple("egress", "other.test:" + PORT));
  }

  @Test
  void aRootGuestThatBypassesTheProxyReachesNothing() throws Exception {
    assertThat(python("import os", "print(os.getuid())")).isEqualTo("0");
    assertThat(connect(outside.publicAddress(), PORT)).startsWith("refused");
    try (ServerSocket hostService = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      hostService.setSoTimeout(500);

      assertThat(connect("10.0.2.2", hostService.getLocalPort())).startsWith("refused");
      assertThatThrownBy(hostService::accept)
          .as("no connection reached the host's loopback")
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  /** Runs last: stopping the VM leaves neither its proxy nor its firewall elements behind. */
  @Test
  @Order(Integer.MAX_VALUE)
  void stoppingTheVmClosesItsProxyAndRemovesItsRules() throws Exception {
    int proxyPort =
        Integer.parseInt(
            python("import os", "print(os.environ['HTTP_PROXY'])").replaceFirst(".*:", ""));
    assertThat(nftSet()).contains("era-guests-egress/");

    guest.stop(Duration.ofSeconds(10));

    assertThat(nftSet()).doesNotContain("era-guests-egress/" + cgroupName());
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxyPort)) {
      fail("the proxy still listens on " + proxyPort);
    } catch (IOException e) {
      assertThat(e).hasMessageContaining("refused");
    }
  }

  private static String cgroupName() {
    return VmPaths.of(stateDir, "egress").cgroupName();
  }

  private static String nftSet() throws Exception {
    Process nft =
        new ProcessBuilder("nft", "list", "set", "inet", "era_guests", "egress_ports")
            .redirectErrorStream(true)
            .start();
    String out = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    nft.waitFor();
    return out;
  }

  private static String urlopen(String host) {
    return "urllib.request.urlopen('http://"
        + host
        + ":"
        + PORT
        + "/page.txt', timeout=20).read().decode()";
  }

  /** What the guest read from address:port, or "refused: ..." when it could not connect. */
  private static String connect(String address, int port) {
    return python(
        "import socket",
        "try:",
        "    s = socket.create_connection(('" + address + "', " + port + "), timeout=5)",
        "    print('connected')",
        "except OSError as e:",
        "    print('refused: %s' % e)");
  }

  private static String python(String... lines) {
    ExecResult result =
        guest.exec(
            ExecRequest.argv("python3", "-c", String.join("\n", lines))
                .withTimeout(Duration.ofSeconds(60)));
    assertThat(result.exitCode()).as(result.stderrText()).isZero();
    return result.stdoutText().strip();
  }
}
