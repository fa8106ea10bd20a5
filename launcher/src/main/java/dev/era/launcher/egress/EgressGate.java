package dev.era.launcher.egress;

import dev.era.launcher.host.Cidr;
import dev.era.launcher.host.ForbiddenAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Decides one VM's egress: the allow-list first, then the addresses a name resolves to, each
 * checked against the forbidden ones after resolving (so a name that an attacker's DNS points at
 * the node or a private range, rebinding included, gets nowhere). Refusals reach the listener.
 */
final class EgressGate {
  private final String vmId;
  private final EgressPolicy policy;
  private final ForbiddenAddresses forbidden;
  private final NameResolver resolver;
  private final Executor lookups;
  private final EgressListener listener;

  EgressGate(
      String vmId,
      EgressPolicy policy,
      ForbiddenAddresses forbidden,
      NameResolver resolver,
      Executor lookups,
      EgressListener listener) {
    this.vmId = vmId;
    this.policy = policy;
    this.forbidden = forbidden;
    this.resolver = resolver;
    this.lookups = lookups;
    this.listener = listener;
  }

  /** A destination the guest may not have, with the reason in the message. */
  static class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** A name that does not resolve. */
  static final class Unknown extends Refused {
    Unknown(String name) {
      super("cannot resolve " + name);
    }
  }

  /** The address to connect to for {@code host:port}, or {@link Refused}. */
  CompletableFuture<InetAddress> connectTo(String host, int port) {
    String destination = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    if (!policy.allows(host, port)) {
      return deny(destination, "not in the VM's egress allow-list");
    }
    Optional<InetAddress> literal = Cidr.literal(host);
    if (literal.isPresent()) {
      return forbidden.refuses(literal.get())
          ? deny(destination, "a local, link-local or private address")
          : CompletableFuture.completedFuture(literal.get());
    }
    return lookup(EgressPolicy.normalize(host))
        .thenCompose(
            addresses ->
                addresses.isEmpty()
                    ? deny(destination, "resolves only to local, link-local or private addresses")
                    : CompletableFuture.completedFuture(addresses.get(0)));
  }

  /**
   * The IPv4 addresses a DNS query for {@code name} is answered with (the guest network is IPv4
   * only), {@link Refused} for a name not in the allow-list, or {@link Unknown}.
   */
  CompletableFuture<List<InetAddress>> answer(String name) {
    String normalized = EgressPolicy.normalize(name);
    if (!policy.allowsLookup(normalized)) {
      return deny(normalized, "lookup of a name not in the VM's allow-list");
    }
    return lookup(normalized)
        .thenApply(all -> all.stream().filter(Inet4Address.class::isInstance).toList());
  }

  /** The addresses of {@code name} that the guest may reach. */
  private CompletableFuture<List<InetAddress>> lookup(String name) {
    CompletableFuture<List<InetAddress>> result = new CompletableFuture<>();
    try {
      lookups.execute(
          () -> {
            try {
              result.complete(
                  resolver.resolve(name).stream().filter(a -> !forbidden.refuses(a)).toList());
            } catch (UnknownHostException e) {
              result.completeExceptionally(new Unknown(name));
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new Refused("too many lookups in flight on this node"));
    }
    return result;
  }

  private <T> CompletableFuture<T> deny(String destination, String reason) {
    listener.denied(new EgressDenial(vmId, destination, reason));
    return CompletableFuture.failedFuture(new Refused(destination + ": " + reason));
  }
}
