package dev.era.launcher.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Where the egress proxy looks names up; tests map their names to their own servers. */
@FunctionalInterface
public interface NameResolver {
  NameResolver SYSTEM = name -> List.of(InetAddress.getAllByName(name));

  /** Blocking; runs on the proxy's lookup threads. */
  List<InetAddress> resolve(String name) throws UnknownHostException;
}
