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
 * <p>Rules in the guest (its reject route for 10.0.2.2) are defence in depth only: a guest that
 * became root removes them. The table is the host's and is the same for every launcher on it;
 * installing it replaces it in one transaction, and a probe proves that it works before any guest
 * relies on it.
 */
public final class GuestNetworkGuard {
  static final String TABLE = "era_guests";
  static final String PARENT = "era-guests";

  /** Where nft resolves {@code socket cgroupv2} paths, whatever the mounts say. */
  private static final Path NFT_CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  static final List<String> DENIED_V4 =
      List.of(
          "0.0.0.0/8",
          "10.0.0.0/8",
          "100.64.0.0/10",
          "127.0.0.0/8",
          "169.254.0.0/16",
          "172.16.0.0/12",
          "192.168.0.0/16",
          "224.0.0.0/4");
  static final List<String> DENIED_V6 = List.of("::1/128", "fc00::/7", "fe80::/10", "ff00::/8");

  /** How deep a cgroup namespace may hide this process's cgroup root. */
  private static final int MAX_HIDDEN_DEPTH = 12;

  private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f:.]+(/[0-9]{1,3})?");

  /** Where cgroup v2 is mounted: read once, since mounts do not move under a running launcher. */
  private static final Optional<Path> CGROUP2_MOUNT =
      cgroup2Mount(readLines(Path.of("/proc/self/mounts")));

  private final Path parent;

  private GuestNetworkGuard(Path parent) {
    this.parent = parent;
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
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new LaunchException("cannot create the cgroup " + parent + ": " + e.getMessage(), e);
    }
    GuestNetworkGuard guard = new GuestNetworkGuard(parent);
    String cgroupPath = NFT_CGROUP_ROOT.relativize(parent).toString();
    List<String> resolvers = resolvers();
    // The rule names the cgroup by its depth from the root of the whole hierarchy, which a
    // cgroup namespace (a pod's) hides: try each depth from what this process sees, and keep the
    // first that a probe in the cgroup proves to work. None working means no guests with network.
    int seen = mount.relativize(parent).getNameCount();
    for (int level = seen; level <= seen + MAX_HIDDEN_DEPTH; level++) {
      nft(ruleset(cgroupPath, level, resolvers, allowedCidrs, deniedCidrs));
      if (guard.probeIsRefused()) {
        return guard;
      }
    }
    throw new LaunchException(
        "the host firewall rules for guests did not take effect (a probe in "
            + parent
            + " reached the host's loopback): guests with network cannot start");
  }

  /**
   * Whether a process in a cgroup under the parent is refused a connection to a listener on the
   * host's loopback, as a guest's QEMU must be.
   */
  private boolean probeIsRefused() {
    String key = "probe-" + ProcessHandle.current().pid();
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Process probe =
          new ProcessBuilder(
                  "/bin/bash",
                  "-c",
                  "echo $$ > \"$0\" && exec 3<>/dev/tcp/127.0.0.1/" + listener.getLocalPort(),
                  cgroupProcs(key).toString())
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
   * The {@code cgroup.procs} file of a new cgroup for one VM, for its QEMU to join before it runs.
   */
  public Path cgroupProcs(String key) {
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
    CGROUP2_MOUNT
        .map(mount -> mount.resolve(PARENT).resolve(key))
        .ifPresent(
            dir -> {
              try {
                Files.deleteIfExists(dir);
              } catch (IOException e) {
                // Still has a process, or was never made: nothing to release.
              }
            });
  }

  /** The nft script that replaces the table atomically. */
  static String ruleset(
      String cgroupPath,
      int level,
      List<String> resolvers,
      List<String> allowedCidrs,
      List<String> deniedCidrs) {
    List<String> guest = new ArrayList<>();
    addressRule(guest, resolvers, "meta l4proto { tcp, udp } th dport 53 accept");
    addressRule(guest, allowedCidrs, "accept");
    guest.add("fib daddr type local reject");
    guest.add("ip daddr { " + String.join(", ", DENIED_V4) + " } reject");
    guest.add("ip6 daddr { " + String.join(", ", DENIED_V6) + " } reject");
    addressRule(guest, deniedCidrs, "reject");
    StringBuilder script = new StringBuilder();
    script.append("table inet ").append(TABLE).append('\n');
    script.append("delete table inet ").append(TABLE).append('\n');
    script.append("table inet ").append(TABLE).append(" {\n");
    script.append("  chain output {\n");
    script.append("    type filter hook output priority filter; policy accept;\n");
    script
        .append("    socket cgroupv2 level ")
        .append(level)
        .append(" \"")
        .append(cgroupPath)
        .append("\" jump guest\n");
    script.append("  }\n");
    script.append("  chain guest {\n");
    guest.forEach(rule -> script.append("    ").append(rule).append('\n'));
    script.append("  }\n}\n");
    return script.toString();
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
    Process nft;
    try {
      nft = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
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
