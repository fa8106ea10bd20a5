package dev.era.launcher.host;

import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Keeps guests with user-mode networking away from the host's own services, whatever the guest
 * does. Under slirp every guest connection becomes a socket of the VM's QEMU process, so the rules
 * go where those sockets are: every such QEMU runs in a cgroup under {@value #PARENT} (cgroup v2),
 * and an nftables table ({@value #TABLE}) rejects what sockets of that cgroup send to a local
 * address of the host (loopback, IPv4 and IPv6, and the node's own addresses), to link-local
 * addresses (the metadata service), and to private, shared and unique-local ranges (where a
 * cluster's pod, Service and node networks live), and to the ranges the admin denied on top (a
 * cluster's pod and Service CIDRs that lie outside those), unless the admin allowed a range. DNS to
 * the host's resolvers stays open, because slirp forwards the guest's lookups there.
 *
 * <p>A guest with an egress allow-list is stricter still: its QEMU runs in a cgroup of its own
 * under {@value #EGRESS_PARENT}, whose sockets reach nothing but that VM's egress proxy on the
 * host's loopback (an element of the set {@value #EGRESS_PORTS}, keyed by the VM's cgroup), and
 * whose DNS queries, to whatever server, are redirected to that proxy's DNS answerer (the map
 * {@value #EGRESS_DNS}).
 *
 * <p>Rules in the guest (its reject route for 10.0.2.2) are defence in depth only: a guest that
 * became root removes them. The table is the host's and is the same for every launcher on it;
 * installing it rewrites its chains in one transaction but keeps the egress VMs' elements (VMs of
 * other launchers, or re-adopted ones, keep their proxies), and a probe proves that it works before
 * any guest relies on it.
 */
public final class GuestNetworkGuard {
  static final String TABLE = "era_guests";
  static final String PARENT = "era-guests";
  static final String EGRESS_PARENT = "era-guests-egress";
  static final String EGRESS_PORTS = "egress_ports";
  static final String EGRESS_DNS = "egress_dns";

  /** Where nft resolves {@code socket cgroupv2} paths, whatever the mounts say. */
  private static final Path NFT_CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  /** How deep a cgroup namespace may hide this process's cgroup root. */
  private static final int MAX_HIDDEN_DEPTH = 12;

  private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f:.]+(/[0-9]{1,3})?");

  /** Where cgroup v2 is mounted: read once, since mounts do not move under a running launcher. */
  private static final Optional<Path> CGROUP2_MOUNT =
      cgroup2Mount(readLines(Path.of("/proc/self/mounts")));

  private final Path parent;
  private final Path egressParent;
  private final int level;
  private final List<String> allowedCidrs;
  private final List<String> deniedCidrs;

  private GuestNetworkGuard(
      Path parent,
      Path egressParent,
      int level,
      List<String> allowedCidrs,
      List<String> deniedCidrs) {
    this.parent = parent;
    this.egressParent = egressParent;
    this.level = level;
    this.allowedCidrs = allowedCidrs;
    this.deniedCidrs = deniedCidrs;
  }

  /**
   * Creates the parent cgroup and installs the table.
   *
   * @param allowedCidrs ranges guests may reach although they are denied
   * @param deniedCidrs ranges guests may not reach, on top of those denied by default
   * @throws LaunchException when the host cannot enforce the rules (no cgroup v2 under
   *     /sys/fs/cgroup, no nft, no CAP_NET_ADMIN): a guest with network must then not start
   */
  public static GuestNetworkGuard install(List<String> allowedCidrs, List<String> deniedCidrs) {
    Path mount =
        CGROUP2_MOUNT
            .filter(m -> m.startsWith(NFT_CGROUP_ROOT))
            .orElseThrow(
                () ->
                    new LaunchException(
                        "guests with network need cgroup v2 mounted under /sys/fs/cgroup, where"
                            + " the host's firewall rules find the VMs' QEMU processes"));
    Path parent = mount.resolve(PARENT);
    Path egressParent = mount.resolve(EGRESS_PARENT);
    try {
      Files.createDirectories(parent);
      Files.createDirectories(egressParent);
    } catch (IOException e) {
      throw new LaunchException("cannot create the cgroups of guests: " + e.getMessage(), e);
    }
    List<String> resolvers = resolvers();
    // The rule names the cgroup by its depth from the root of the whole hierarchy, which a
    // cgroup namespace (a pod's) hides: try each depth from what this process sees, and keep the
    // first that a probe in each parent proves to work. None working means no guests with network.
    int seen = mount.relativize(parent).getNameCount();
    for (int level = seen; level <= seen + MAX_HIDDEN_DEPTH; level++) {
      nft(ruleset(level, resolvers, allowedCidrs, deniedCidrs));
      GuestNetworkGuard guard =
          new GuestNetworkGuard(parent, egressParent, level, allowedCidrs, deniedCidrs);
      if (guard.probeIsRefused(parent) && guard.probeIsRefused(egressParent)) {
        return guard;
      }
    }
    throw new LaunchException(
        "the host firewall rules for guests did not take effect (a probe in "
            + parent
            + " or "
            + egressParent
            + " reached the host's loopback): guests with network cannot start");
  }

  /**
   * Whether a process in a cgroup under {@code parent} is refused a connection to a listener on the
   * host's loopback, as a guest's QEMU must be.
   */
  private boolean probeIsRefused(Path parent) {
    String key = "probe-" + ProcessHandle.current().pid();
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Process probe =
          new ProcessBuilder(
                  "/bin/bash",
                  "-c",
                  "echo $$ > \"$0\" && exec 3<>/dev/tcp/127.0.0.1/" + listener.getLocalPort(),
                  cgroupProcs(parent, key).toString())
              .redirectErrorStream(true)
              .start();
      Finished finished = finish(probe, new byte[0], 10, "probe the host firewall rules");
      return finished.failed() && finished.output().contains("refused");
    } catch (IOException e) {
      throw new LaunchException("cannot probe the host firewall rules: " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(parent.resolve(key));
      } catch (IOException e) {
        // The probe is still exiting; its empty cgroup is removed next time.
      }
    }
  }

  /**
   * The {@code cgroup.procs} file of a new cgroup for one VM with full network, for its QEMU to
   * join before it runs.
   */
  public Path cgroupProcs(String key) {
    return cgroupProcs(parent, key);
  }

  /**
   * The {@code cgroup.procs} file of a new cgroup for one egress VM, whose sockets may reach only
   * its proxy's two ports on the host's loopback; DNS queries go to the second.
   */
  public Path egressCgroupProcs(String key, int httpPort, int dnsPort) {
    Path procs = cgroupProcs(egressParent, key);
    nft(egressElements("add", key, httpPort, dnsPort));
    return procs;
  }

  /**
   * Installs the rules of a guest with full network in a network namespace of the VM's own (its
   * reservation pod's), where they hold for every socket: only the VM's QEMU and the pod's idle
   * process live there. Needs nft and CAP_NET_ADMIN, but nothing of the host's cgroups.
   */
  public static void confine(Path netns, List<String> allowedCidrs, List<String> deniedCidrs) {
    nft(namespaceCommand(netns), namespaceRuleset(resolvers(), allowedCidrs, deniedCidrs));
  }

  /**
   * Installs the rules of an egress guest in a network namespace of the VM's own, where its proxy
   * makes its sockets too: every socket but the proxy's (told apart by their owner, the launcher's
   * user; QEMU runs as another) reaches nothing but the proxy's two ports on loopback, and its DNS
   * queries go to the second. The proxy's own sockets get a full-network guest's rules below the
   * proxy's allow-list: loopback (to answer QEMU) and the world.
   */
  public static void confineEgress(
      Path netns,
      int proxyUid,
      int httpPort,
      int dnsPort,
      List<String> allowedCidrs,
      List<String> deniedCidrs) {
    nft(
        namespaceCommand(netns),
        namespaceEgressRuleset(
            proxyUid, httpPort, dnsPort, resolvers(), allowedCidrs, deniedCidrs));
  }

  private static List<String> namespaceCommand(Path netns) {
    return List.of("nsenter", "--net=" + netns, "--", "nft", "-f", "-");
  }

  /** The nft script that (re)writes the one table of a VM's own network namespace. */
  static String namespaceRuleset(
      List<String> resolvers, List<String> allowedCidrs, List<String> deniedCidrs) {
    String table = "inet " + TABLE;
    List<String> script = namespaceChains();
    guestRules(resolvers, allowedCidrs, deniedCidrs)
        .forEach(rule -> script.add("add rule " + table + " output " + rule));
    return String.join("\n", script) + "\n";
  }

  /** The nft script that (re)writes the one table of an egress VM's own network namespace. */
  static String namespaceEgressRuleset(
      int proxyUid,
      int httpPort,
      int dnsPort,
      List<String> resolvers,
      List<String> allowedCidrs,
      List<String> deniedCidrs) {
    String table = "inet " + TABLE;
    String proxy = "meta skuid " + proxyUid;
    String notProxy = "meta skuid != " + proxyUid;
    List<String> script = namespaceChains("proxy", "egress");
    script.add(
        "add chain " + table + " nat { type nat hook output priority -100; policy accept; }");
    script.add("flush chain " + table + " nat");
    script.add(
        "add rule "
            + table
            + " nat "
            + notProxy
            + " meta l4proto udp th dport 53 redirect to :"
            + dnsPort);
    script.add("add rule " + table + " output " + proxy + " jump proxy");
    script.add("add rule " + table + " output " + notProxy + " jump egress");
    script.add("add rule " + table + " proxy oifname \"lo\" accept");
    guestRules(resolvers, allowedCidrs, deniedCidrs)
        .forEach(rule -> script.add("add rule " + table + " proxy " + rule));
    script.add(
        "add rule " + table + " egress ip daddr 127.0.0.1 tcp dport " + httpPort + " accept");
    script.add("add rule " + table + " egress ip daddr 127.0.0.1 udp dport " + dnsPort + " accept");
    script.add("add rule " + table + " egress reject");
    return String.join("\n", script) + "\n";
  }

  /** The table, its filtering output chain and the chains named, each created and emptied. */
  private static List<String> namespaceChains(String... chains) {
    String table = "inet " + TABLE;
    List<String> script = new ArrayList<>();
    script.add("add table " + table);
    script.add(
        "add chain "
            + table
            + " output { type filter hook output priority filter; policy accept; }");
    script.add("flush chain " + table + " output");
    for (String chain : chains) {
      script.add("add chain " + table + " " + chain);
      script.add("flush chain " + table + " " + chain);
    }
    return script;
  }

  private static Path cgroupProcs(Path parent, String key) {
    Path dir = parent.resolve(key);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new LaunchException("cannot create the cgroup " + dir + ": " + e.getMessage(), e);
    }
    return dir.resolve("cgroup.procs");
  }

  /** Removes a VM's cgroup once its QEMU has ended (a cgroup with processes stays). */
  public static void release(String key) {
    CGROUP2_MOUNT.ifPresent(mount -> removeDir(mount.resolve(PARENT).resolve(key)));
  }

  /**
   * Removes an egress VM's firewall elements and then its cgroup (nft finds an element by the
   * cgroup's path), once its QEMU has ended.
   */
  public static void releaseEgress(String key, int httpPort, int dnsPort) {
    CGROUP2_MOUNT
        .map(mount -> mount.resolve(EGRESS_PARENT).resolve(key))
        .filter(Files::isDirectory)
        .ifPresent(
            dir -> {
              try {
                nft(egressElements("delete", key, httpPort, dnsPort));
              } catch (LaunchException e) {
                // Already gone (a guard reinstalled without them): the cgroup still goes.
              }
              removeDir(dir);
            });
  }

  private static void removeDir(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Still has a process, or was never made: nothing to release.
    }
  }

  /** The nft script that adds or deletes one egress VM's elements. */
  static String egressElements(String verb, String key, int httpPort, int dnsPort) {
    String cgroup =
        "\""
            + NFT_CGROUP_ROOT.relativize(CGROUP2_MOUNT.orElseThrow()).resolve(EGRESS_PARENT)
            + "/"
            + key
            + "\"";
    return verb
        + " element inet "
        + TABLE
        + " "
        + EGRESS_PORTS
        + " { "
        + cgroup
        + " . tcp . "
        + httpPort
        + ", "
        + cgroup
        + " . udp . "
        + dnsPort
        + " }\n"
        + verb
        + " element inet "
        + TABLE
        + " "
        + EGRESS_DNS
        + " { "
        + cgroup
        + " : "
        + dnsPort
        + " }\n";
  }

  /**
   * The nft script that rewrites the table's chains in one transaction, keeping the egress VMs'
   * elements. The guests' cgroups are at {@code level} of the hierarchy; an egress VM's own cgroup
   * one deeper.
   */
  static String ruleset(
      int level, List<String> resolvers, List<String> allowedCidrs, List<String> deniedCidrs) {
    Path root = NFT_CGROUP_ROOT.relativize(CGROUP2_MOUNT.orElseThrow());
    return ruleset(
        root.resolve(PARENT).toString(),
        root.resolve(EGRESS_PARENT).toString(),
        level,
        resolvers,
        allowedCidrs,
        deniedCidrs);
  }

  static String ruleset(
      String cgroupPath,
      String egressPath,
      int level,
      List<String> resolvers,
      List<String> allowedCidrs,
      List<String> deniedCidrs) {
    List<String> guest = guestRules(resolvers, allowedCidrs, deniedCidrs);
    String vm = "socket cgroupv2 level " + (level + 1);
    String table = "inet " + TABLE;
    List<String> script = new ArrayList<>();
    script.add("add table " + table);
    script.add(
        "add set "
            + table
            + " "
            + EGRESS_PORTS
            + " { typeof "
            + vm
            + " . meta l4proto . th dport; }");
    script.add("add map " + table + " " + EGRESS_DNS + " { typeof " + vm + " : th dport; }");
    script.add(
        "add chain "
            + table
            + " output { type filter hook output priority filter; policy accept; }");
    script.add(
        "add chain " + table + " nat { type nat hook output priority -100; policy accept; }");
    script.add("add chain " + table + " guest");
    script.add("add chain " + table + " egress");
    for (String chain : List.of("output", "nat", "guest", "egress")) {
      script.add("flush chain " + table + " " + chain);
    }
    String guests = "socket cgroupv2 level " + level + " \"" + cgroupPath + "\"";
    String egressGuests = "socket cgroupv2 level " + level + " \"" + egressPath + "\"";
    script.add("add rule " + table + " output " + guests + " jump guest");
    script.add("add rule " + table + " output " + egressGuests + " jump egress");
    // Every DNS query of an egress guest's QEMU (slirp forwards the guest's to the host's
    // resolvers) goes to its own proxy's answerer instead.
    script.add(
        "add rule "
            + table
            + " nat "
            + egressGuests
            + " meta l4proto udp th dport 53 redirect to : "
            + vm
            + " map @"
            + EGRESS_DNS);
    guest.forEach(rule -> script.add("add rule " + table + " guest " + rule));
    script.add(
        "add rule "
            + table
            + " egress ip daddr 127.0.0.1 "
            + vm
            + " . meta l4proto . th dport @"
            + EGRESS_PORTS
            + " accept");
    script.add("add rule " + table + " egress reject");
    return String.join("\n", script) + "\n";
  }

  /** What a guest with full network may not reach, in order: the first match decides. */
  private static List<String> guestRules(
      List<String> resolvers, List<String> allowedCidrs, List<String> deniedCidrs) {
    List<String> guest = new ArrayList<>();
    addressRule(guest, resolvers, "meta l4proto { tcp, udp } th dport 53 accept");
    addressRule(guest, allowedCidrs, "accept");
    guest.add("fib daddr type local reject");
    guest.add("ip daddr { " + String.join(", ", ForbiddenAddresses.DENIED_V4) + " } reject");
    guest.add("ip6 daddr { " + String.join(", ", ForbiddenAddresses.DENIED_V6) + " } reject");
    addressRule(guest, deniedCidrs, "reject");
    return guest;
  }

  /** One rule per address family for the addresses given, which end in {@code verdict}. */
  private static void addressRule(List<String> rules, List<String> addresses, String verdict) {
    for (String address : addresses) {
      // They become part of an nft script: nothing but an address or a range may get in.
      if (!ADDRESS.matcher(address).matches()) {
        throw new LaunchException("not an IP address or CIDR range: '" + address + "'");
      }
    }
    List<String> v4 = addresses.stream().filter(a -> !a.contains(":")).toList();
    List<String> v6 = addresses.stream().filter(a -> a.contains(":")).toList();
    if (!v4.isEmpty()) {
      rules.add("ip daddr { " + String.join(", ", v4) + " } " + verdict);
    }
    if (!v6.isEmpty()) {
      rules.add("ip6 daddr { " + String.join(", ", v6) + " } " + verdict);
    }
  }

  /** The cgroup v2 mount point in /proc/self/mounts lines. */
  static Optional<Path> cgroup2Mount(List<String> mounts) {
    return mounts.stream()
        .map(line -> line.split(" "))
        .filter(fields -> fields.length > 2 && fields[2].equals("cgroup2"))
        .map(fields -> Path.of(fields[1]))
        .findFirst();
  }

  /** The nameservers of resolv.conf lines. */
  static List<String> nameservers(List<String> resolvConf) {
    return resolvConf.stream()
        .map(String::strip)
        .filter(line -> line.startsWith("nameserver"))
        .map(line -> line.substring("nameserver".length()).strip())
        .map(address -> address.replaceFirst("%.*$", "")) // no zone ids in nft
        .filter(address -> !address.isEmpty())
        .toList();
  }

  private static List<String> resolvers() {
    return nameservers(readLines(Path.of("/etc/resolv.conf")));
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new LaunchException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void nft(String script) {
    nft(List.of("nft", "-f", "-"), script);
  }

  private static void nft(List<String> command, String script) {
    Process nft;
    try {
      nft = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new LaunchException(
          "guests with network need nftables (nft) to keep them off the host: " + e.getMessage(),
          e);
    }
    Finished finished = finish(nft, script.getBytes(StandardCharsets.UTF_8), 30, "run nft");
    if (!finished.succeeded()) {
      throw new LaunchException(
          "cannot install the firewall rules that keep guests off the host (needs"
              + " CAP_NET_ADMIN): "
              + finished.output().strip());
    }
  }

  /**
   * Gives a started process its input, reads what it prints and waits for it to end; a process
   * still running after {@code timeoutSeconds}, or on any failure, is killed.
   *
   * @param action what running the process does, for the failure messages
   */
  private static Finished finish(Process process, byte[] input, int timeoutSeconds, String action) {
    try {
      process.getOutputStream().write(input);
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean ended = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      return new Finished(ended, ended ? process.exitValue() : -1, output);
    } catch (IOException e) {
      throw new LaunchException("cannot " + action + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted while trying to " + action, e);
    } finally {
      process.destroyForcibly();
    }
  }

  /** How a process ended: {@code exitValue} counts only when it {@code ended} in time. */
  private record Finished(boolean ended, int exitValue, String output) {
    boolean succeeded() {
      return ended && exitValue == 0;
    }

    boolean failed() {
      return ended && exitValue != 0;
    }
  }
}
