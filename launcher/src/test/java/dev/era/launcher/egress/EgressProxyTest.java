package dev.era.launcher.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.era.launcher.host.ForbiddenAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy on real sockets, with test names mapped by its resolver hook. */
class EgressProxyTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final ConcurrentLinkedQueue<EgressDenial> denials = new ConcurrentLinkedQueue<>();
  private ServerSocket server;
  private CompletableFuture<String> received;
  private EgressProxies proxies;
  private EgressProxies strictProxies;
  private EgressProxy proxy;
  private EgressProxy strict;

  @BeforeEach
  void start() throws Exception {
    server = new ServerSocket(0, 10, LOOPBACK);
    received = CompletableFuture.supplyAsync(this::serveOneRequest);
    Map<String, List<InetAddress>> names =
        Map.of(
            "allowed.test", List.of(LOOPBACK),
            "public.test", List.of(InetAddress.getByName("198.18.5.2")),
            "private.test", List.of(InetAddress.getByName("10.20.30.40")));
    NameResolver resolver =
        name -> {
          List<InetAddress> found = names.get(name);
          if (found == null) {
            throw new UnknownHostException(name);
          }
          return found;
        };
    EgressPolicy policy =
        EgressPolicy.parse(
            List.of("allowed.test", "public.test", "private.test", "*.other.test:1"));
    // The test server is on the loopback, which only an admin's allowed range lets through.
    proxies = new EgressProxies(new ForbiddenAddresses(List.of("127.0.0.1/32"), List.of()));
    proxies.resolveWith(resolver);
    proxies.onDenied(denials::add);
    proxy = proxies.open("vm-1", policy, 0, 0, Optional.empty());
    strictProxies = new EgressProxies(new ForbiddenAddresses(List.of(), List.of()));
    strictProxies.resolveWith(resolver);
    strictProxies.onDenied(denials::add);
    strict = strictProxies.open("vm-2", policy, 0, 0, Optional.empty());
  }

  @AfterEach
  void stop() throws IOException {
    proxies.close();
    strictProxies.close();
    server.close();
  }

  @Test
  void tunnelsConnectToAnAllowedName() throws Exception {
    try (Socket guest = new Socket(LOOPBACK, proxy.httpPort())) {
      send(guest, "CONNECT allowed.test:" + server.getLocalPort() + " HTTP/1.1\r\n\r\n");
      assertThat(readHead(guest.getInputStream())).startsWith("HTTP/1.1 200");

      send(guest, "GET /through-the-tunnel HTTP/1.1\r\nHost: allowed.test\r\n\r\n");

      assertThat(readAll(guest)).endsWith("hello");
      assertThat(received.get(10, TimeUnit.SECONDS)).startsWith("GET /through-the-tunnel ");
    }
    assertThat(denials).isEmpty();
  }

  @Test
  void forwardsAnAbsoluteFormRequestInOriginFormWithoutProxyHeaders() throws Exception {
    try (Socket guest = new Socket(LOOPBACK, proxy.httpPort())) {
      send(
          guest,
          "GET http://allowed.test:"
              + server.getLocalPort()
              + "/simple/pkg/?x=1 HTTP/1.1\r\nHost: allowed.test\r\n"
              + "Proxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\n\r\n");

      assertThat(readAll(guest)).startsWith("HTTP/1.1 200").endsWith("hello");
    }
    String request = received.get(10, TimeUnit.SECONDS);
    assertThat(request)
        .startsWith("GET /simple/pkg/?x=1 HTTP/1.1\r\n")
        .containsIgnoringCase("connection: close")
        .doesNotContainIgnoringCase("proxy-");
  }

  @Test
  void refusesANameNotInTheListAndReportsIt() throws Exception {
    assertThat(connect(proxy, "evil.test:443")).startsWith("HTTP/1.1 403");
    assertThat(connect(proxy, "a.other.test:2")).startsWith("HTTP/1.1 403");

    assertThat(denials)
        .extracting(EgressDenial::vmId, EgressDenial::destination)
        .containsExactly(tuple("vm-1", "evil.test:443"), tuple("vm-1", "a.other.test:2"));
    assertThat(received).isNotDone();
  }

  @Test
  void refusesAnAllowedNameThatResolvesToTheLoopbackOrAPrivateRange() throws Exception {
    assertThat(connect(strict, "allowed.test:" + server.getLocalPort())).startsWith("HTTP/1.1 403");
    assertThat(connect(strict, "private.test:80")).startsWith("HTTP/1.1 403");
    assertThat(connect(strict, "127.0.0.1:" + server.getLocalPort())).startsWith("HTTP/1.1 403");

    assertThat(denials)
        .extracting(EgressDenial::destination)
        .containsExactly(
            "allowed.test:" + server.getLocalPort(),
            "private.test:80",
            "127.0.0.1:" + server.getLocalPort());
    assertThat(denials.peek().reason()).contains("local");
    assertThat(received).isNotDone();
  }

  @Test
  void answersDnsForAllowedNamesOnlyWithAddressesTheGuestMayHave() throws Exception {
    Answer publicName = lookup(strict, "public.test");
    Answer privateName = lookup(strict, "private.test");
    Answer other = lookup(strict, "evil.test");
    Answer unknown = lookup(strict, "gone.other.test");

    assertThat(publicName.rcode()).isZero();
    assertThat(publicName.addresses()).containsExactly(InetAddress.getByName("198.18.5.2"));
    assertThat(privateName.rcode()).isZero();
    assertThat(privateName.addresses()).isEmpty();
    assertThat(other.rcode()).isEqualTo(5); // REFUSED
    assertThat(unknown.rcode()).isEqualTo(3); // NXDOMAIN
    assertThat(denials).extracting(EgressDenial::destination).containsExactly("evil.test");
  }

  @Test
  void closingTheProxyFreesItsPorts() throws Exception {
    int port = strict.httpPort();
    strictProxies.close("vm-2");

    // NIO lets go of a closed socket's port at its selector's next wakeup.
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () -> {
              try (ServerSocket again = new ServerSocket(port, 1, LOOPBACK)) {
                return again.getLocalPort() == port;
              }
            });
  }

  private String serveOneRequest() {
    try (Socket client = server.accept()) {
      String head = readHead(client.getInputStream());
      client
          .getOutputStream()
          .write(
              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
                  .getBytes(StandardCharsets.US_ASCII));
      return head;
    } catch (IOException e) {
      return "closed: " + e.getMessage();
    }
  }

  /** The proxy's whole answer to a CONNECT to {@code destination}. */
  private static String connect(EgressProxy proxy, String destination) throws IOException {
    try (Socket guest = new Socket(LOOPBACK, proxy.httpPort())) {
      send(guest, "CONNECT " + destination + " HTTP/1.1\r\n\r\n");
      return readAll(guest);
    }
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static String readAll(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
  }

  private record Answer(int rcode, List<InetAddress> addresses) {}

  /** An A query for {@code name}, by hand, and what came back. */
  private static Answer lookup(EgressProxy proxy, String name) throws IOException {
    ByteBuffer query = ByteBuffer.allocate(512);
    query.putShort((short) 0x1234).putShort((short) 0x0100).putShort((short) 1);
    query.putShort((short) 0).putShort((short) 0).putShort((short) 0);
    for (String label : name.split("\\.")) {
      query.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
    }
    query.put((byte) 0).putShort((short) 1).putShort((short) 1);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(10_000);
      socket.send(new DatagramPacket(query.array(), query.position(), LOOPBACK, proxy.dnsPort()));
      DatagramPacket reply = new DatagramPacket(new byte[512], 512);
      socket.receive(reply);
      ByteBuffer answer = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
      int rcode = answer.get(3) & 0x0F;
      int count = answer.getShort(6);
      // Skip the header and the echoed question; each answer here has a compressed name pointer.
      answer.position(12 + query.position() - 12);
      List<InetAddress> addresses = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        skipName(answer);
        answer.position(answer.position() + 8); // type, class, ttl
        byte[] data = new byte[answer.getShort()];
        answer.get(data);
        addresses.add(InetAddress.getByAddress(data));
      }
      return new Answer(rcode, addresses);
    }
  }

  private static void skipName(ByteBuffer buffer) {
    while (true) {
      int length = buffer.get() & 0xFF;
      if (length == 0) {
        return;
      }
      if ((length & 0xC0) == 0xC0) {
        buffer.get();
        return;
      }
      buffer.position(buffer.position() + length);
    }
  }
}
