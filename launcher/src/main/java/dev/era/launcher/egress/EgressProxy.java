package dev.era.launcher.egress;

import dev.era.launcher.LaunchException;
import dev.era.launcher.host.NetNamespace;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One egress VM's proxy on the loopback of QEMU's network namespace: an HTTP proxy (TCP) and a DNS
 * answerer (UDP), each on its own port, which only that VM's QEMU may reach (GuestNetworkGuard) and
 * the guest reaches as {@code 10.0.2.2} (slirp's alias of that loopback). Per VM rather than per
 * node, so that the port tells which VM asks and whose allow-list applies. A confined VM (in its
 * reservation pod) has a namespace of its own: the proxy's sockets, listening and upstream, are
 * made there, so it is reachable by QEMU and its connections leave with the pod's address.
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
  private final Optional<NetNamespace> netns;

  private EgressProxy(
      Channel http, Channel dns, ChannelGroup connections, Optional<NetNamespace> netns) {
    this.http = http;
    this.dns = dns;
    this.connections = connections;
    this.netns = netns;
  }

  /**
   * Binds both ports on 127.0.0.1.
   *
   * @param httpPort the proxy's port, 0 for any free one
   * @param dnsPort the DNS answerer's port, 0 for any free one
   * @param netns QEMU's network namespace, where it is not the launcher's; the proxy owns it from
   *     now on
   * @throws LaunchException when a port cannot be bound
   */
  static EgressProxy start(
      EventLoopGroup loop,
      EgressGate gate,
      int httpPort,
      int dnsPort,
      Optional<NetNamespace> netns) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    Channel http = null;
    try {
      http =
          new ServerBootstrap()
              .group(loop)
              .channelFactory(madeIn(netns, NioServerSocketChannel::new))
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
                          .addLast(
                              new HttpProxyHandler(gate, madeIn(netns, NioSocketChannel::new)));
                    }
                  })
              .bind(new InetSocketAddress(loopback, httpPort))
              .syncUninterruptibly()
              .channel();
      Channel dns =
          new Bootstrap()
              .group(loop)
              .channelFactory(madeIn(netns, NioDatagramChannel::new))
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
      return new EgressProxy(http, dns, connections, netns);
    } catch (RuntimeException e) {
      if (http != null) {
        http.close().syncUninterruptibly();
      }
      netns.ifPresent(NetNamespace::close);
      throw new LaunchException("cannot start the egress proxy: " + e.getMessage(), e);
    }
  }

  /** A factory of channels whose sockets are made in {@code netns}, or in ours without one. */
  private static <C extends Channel> ChannelFactory<C> madeIn(
      Optional<NetNamespace> netns, Supplier<C> make) {
    return netns.<ChannelFactory<C>>map(ns -> () -> ns.call(make)).orElse(make::get);
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
    netns.ifPresent(NetNamespace::close);
  }
}
