package dev.era.launcher.egress;

import dev.era.launcher.host.ForbiddenAddresses;
import dev.era.launcher.host.NetNamespace;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The egress proxies of one launcher's VMs. They share one event loop thread and a few lookup
 * threads with a bounded queue, so that no number of guests or requests grows the host's threads.
 */
public final class EgressProxies implements AutoCloseable {
  static final int LOOKUP_THREADS = 4;
  static final int LOOKUP_QUEUE = 256;

  private final ForbiddenAddresses forbidden;
  private final EventLoopGroup loop;
  private final ThreadPoolExecutor lookups;
  private final Map<String, EgressProxy> proxies = new ConcurrentHashMap<>();
  private volatile EgressListener listener = EgressListener.IGNORE;
  private volatile NameResolver resolver = NameResolver.SYSTEM;

  /**
   * @param forbidden where the proxies never connect, whatever a VM's allow-list says
   */
  public EgressProxies(ForbiddenAddresses forbidden) {
    this.forbidden = forbidden;
    this.loop = new NioEventLoopGroup(1, new DefaultThreadFactory("era-egress", true));
    this.lookups =
        new ThreadPoolExecutor(
            LOOKUP_THREADS,
            LOOKUP_THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(LOOKUP_QUEUE),
            new DefaultThreadFactory("era-egress-lookup", true));
    lookups.allowCoreThreadTimeOut(true);
  }

  /** Who hears about refusals from now on. */
  public void onDenied(EgressListener listener) {
    this.listener = listener;
  }

  /** For tests: where the proxies opened from now on look names up. */
  public void resolveWith(NameResolver resolver) {
    this.resolver = resolver;
  }

  /**
   * Starts the proxy of a VM (replacing one it had).
   *
   * @param httpPort the port the proxy had before (a re-adopted guest knows it), or 0 for any
   * @param dnsPort likewise for the DNS answerer
   * @param netns QEMU's network namespace, where it is not the launcher's; the proxy owns it
   */
  public EgressProxy open(
      String vmId, EgressPolicy policy, int httpPort, int dnsPort, Optional<NetNamespace> netns) {
    close(vmId);
    EgressGate gate =
        new EgressGate(
            vmId, policy, forbidden, resolver, lookups, denial -> listener.denied(denial));
    EgressProxy proxy = EgressProxy.start(loop, gate, httpPort, dnsPort, netns);
    proxies.put(vmId, proxy);
    return proxy;
  }

  public boolean isOpen(String vmId) {
    return proxies.containsKey(vmId);
  }

  public void close(String vmId) {
    EgressProxy proxy = proxies.remove(vmId);
    if (proxy != null) {
      proxy.close();
    }
  }

  @Override
  public void close() {
    proxies.keySet().forEach(this::close);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    lookups.shutdownNow();
  }
}
