package dev.era.launcher.egress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;

/**
 * One guest connection to the proxy: its first request is a {@code CONNECT host:port} (answered
 * {@code 200} and then relayed both ways: TLS to the destination stays end to end) or a plain-HTTP
 * request in absolute form ({@code GET http://host/path}, which pip and npm send for {@code
 * http://} indexes: forwarded in origin form with {@code Connection: close}, then relayed).
 * Whatever the gate refuses is answered {@code 403} and the connection closed.
 */
final class HttpProxyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private final EgressGate gate;
  private final ChannelFactory<? extends Channel> upstream;
  private boolean busy;

  /**
   * @param upstream makes the sockets to destinations (in the VM's network namespace, when it has
   *     one of its own)
   */
  HttpProxyHandler(EgressGate gate, ChannelFactory<? extends Channel> upstream) {
    this.gate = gate;
    this.upstream = upstream;
  }

  private record Target(String host, int port, boolean tunnel) {}

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (busy) {
      return; // one destination per connection: anything pipelined behind the first is dropped
    }
    busy = true;
    ctx.channel().config().setAutoRead(false);
    Target target = target(request);
    if (target == null) {
      fail(ctx, "400 Bad Request", "send CONNECT host:port or an absolute http:// URL");
      return;
    }
    request.retain();
    gate.connectTo(target.host(), target.port())
        .whenComplete(
            (address, failure) ->
                ctx.executor()
                    .execute(
                        () -> {
                          if (failure != null) {
                            request.release();
                            fail(ctx, "403 Forbidden", message(failure));
                          } else {
                            connect(ctx, request, target, address);
                          }
                        }));
  }

  private static Target target(FullHttpRequest request) {
    try {
      if (request.method().equals(HttpMethod.CONNECT)) {
        URI authority = new URI("tcp://" + request.uri());
        return authority.getHost() == null || authority.getPort() < 0
            ? null
            : new Target(host(authority), authority.getPort(), true);
      }
      URI uri = new URI(request.uri());
      if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        return null;
      }
      return new Target(host(uri), uri.getPort() < 0 ? 80 : uri.getPort(), false);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /** The host without the brackets of an IPv6 literal. */
  private static String host(URI uri) {
    return uri.getHost().replaceAll("^\\[(.*)]$", "$1");
  }

  private void connect(
      ChannelHandlerContext ctx, FullHttpRequest request, Target target, InetAddress address) {
    Channel guest = ctx.channel();
    ChannelFuture connecting =
        new Bootstrap()
            .group(guest.eventLoop())
            .channelFactory(upstream)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .option(ChannelOption.AUTO_READ, false)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel server) {
                    if (!target.tunnel()) {
                      server.pipeline().addLast(new HttpRequestEncoder());
                    }
                    server.pipeline().addLast(new Relay(guest));
                  }
                })
            .connect(new InetSocketAddress(address, target.port()));
    connecting.addListener(
        (ChannelFuture f) -> {
          if (!f.isSuccess()) {
            request.release();
            fail(
                ctx, "502 Bad Gateway", "cannot connect to " + target.host() + ":" + target.port());
            return;
          }
          Channel server = f.channel();
          guest.closeFuture().addListener(closed -> server.close());
          if (target.tunnel()) {
            request.release();
            guest.writeAndFlush(ascii("HTTP/1.1 200 Connection established\r\n\r\n"));
            relay(ctx, server);
          } else {
            server
                .writeAndFlush(originForm(request))
                .addListener(
                    (ChannelFuture written) -> {
                      if (written.isSuccess()) {
                        server.pipeline().remove(HttpRequestEncoder.class);
                        relay(ctx, server);
                      } else {
                        guest.close();
                      }
                    });
          }
        });
  }

  /** The request as the destination server expects it from a client, not from a proxy. */
  private static FullHttpRequest originForm(FullHttpRequest request) {
    URI uri = URI.create(request.uri());
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    request.setUri(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery());
    request.headers().remove(HttpHeaderNames.PROXY_AUTHORIZATION);
    request.headers().remove("Proxy-Connection");
    if (!request.headers().contains(HttpHeaderNames.HOST)) {
      request.headers().set(HttpHeaderNames.HOST, uri.getRawAuthority());
    }
    // The next request on this connection may name another host; the guest must reconnect for it.
    request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return request;
  }

  /** From now on the guest's bytes go to the server as they are (what the decoder held too). */
  private void relay(ChannelHandlerContext ctx, Channel server) {
    ctx.pipeline().addLast(new Relay(server));
    ctx.pipeline().remove(this);
    ctx.pipeline().remove(HttpObjectAggregator.class);
    ctx.pipeline().remove(HttpRequestDecoder.class);
    server.config().setAutoRead(true);
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private static void fail(ChannelHandlerContext ctx, String status, String reason) {
    byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    ctx.writeAndFlush(Unpooled.wrappedBuffer(ascii(head), Unpooled.wrappedBuffer(body)))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private static String message(Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return cause instanceof EgressGate.Refused ? cause.getMessage() : "egress failed";
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }
}
