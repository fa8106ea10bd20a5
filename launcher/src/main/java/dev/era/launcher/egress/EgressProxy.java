package dev.era.launcher.egress;

import dev.era.launcher.LaunchException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One egress VM's proxy on the host's loopback: an HTTP proxy (TCP) and a DNS answerer (UDP), each
 * on its own port, which only that VM's QEMU may reach (GuestNetworkGuard) and the guest reaches as
 * {@code 10.0.2.2} (slirp's alias of the host's loopback). Per VM rather than per node, so that the
 * port tells which VM asks and whose allow-list applies.
 */
public final class EgressProxy implements AutoCloseable {
  /** Where the guest finds the proxy: slirp maps this address to the host's 127.0.0.1. */
  public static final String GUEST_HOST_ALIAS = "10.0.2.2";

  /** Connections one guest may hold open at once; more are closed as they arrive. */
  static final int MAX_CONNECTIONS = 256;

  static final int IDLE_SECONDS = 600;
  private static final int MAX_REQUEST_BYTES = 1 << 20;

  private final Channel http;
  private final Channel dns;
  private final ChannelGroup connections;

  private EgressProxy(Channel http, Channel dns, ChannelGroup connections) {
    this.http = http;
    this.dns = dns;
    this.connections = connections;
  }

  /**
   * Binds both ports on 127.0.0.1.
   *
   * @param httpPort the proxy's port, 0 for any free one
   * @param dnsPort the DNS answerer's port, 0 for any free one
   * @throws LaunchException when a port cannot be bound
   */
  static EgressProxy start(EventLoopGroup loop, EgressGate gate, int httpPort, int dnsPort) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    Channel http = null;
    try {
      http =
          new ServerBootstrap()
              .group(loop)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.AUTO_READ, true)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel guest) {
                      if (connections.size() >= MAX_CONNECTIONS) {
                        guest.close();
                        return;
                      }
                      connections.add(guest);
                      guest
                          .pipeline()
                          .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                          .addLast(new HttpRequestDecoder())
                          .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                          .addLast(new HttpProxyHandler(gate));
                    }
                  })
              .bind(new InetSocketAddress(loopback, httpPort))
              .syncUninterruptibly()
              .channel();
      Channel dns =
          new Bootstrap()
              .group(loop)
              .channel(NioDatagramChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      channel
                          .pipeline()
                          .addLast(new DatagramDnsQueryDecoder())
                          .addLast(new DatagramDnsResponseEncoder())
                          .addLast(new DnsAnswerer(gate));
                    }
                  })
              .bind(new InetSocketAddress(loopback, dnsPort))
              .syncUninterruptibly()
              .channel();
      return new EgressProxy(http, dns, connections);
    } catch (RuntimeException e) {
      if (http != null) {
        http.close().syncUninterruptibly();
      }
      throw new LaunchException("cannot start the egress proxy: " + e.getMessage(), e);
    }
  }

  public int httpPort() {
    return ((InetSocketAddress) http.localAddress()).getPort();
  }

  public int dnsPort() {
    return ((InetSocketAddress) dns.localAddress()).getPort();
  }

  /** What each command in the guest gets, below its own environment, to use the proxy. */
  public static Map<String, String> guestEnvironment(int httpPort) {
    String url = "http://" + GUEST_HOST_ALIAS + ":" + httpPort;
    String local = "localhost,127.0.0.1,::1";
    return Map.of(
        "HTTP_PROXY", url,
        "HTTPS_PROXY", url,
        "http_proxy", url,
        "https_proxy", url,
        "NO_PROXY", local,
        "no_proxy", local);
  }

  /** Stops listening and ends every connection through the proxy. */
  @Override
  public void close() {
    http.close().syncUninterruptibly();
    dns.close().syncUninterruptibly();
    connections.close().syncUninterruptibly();
  }
}
