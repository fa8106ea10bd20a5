package dev.era.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace joined to the host (or to another namespace) by a veth pair, with a
 * public-range address (from 198.18.0.0/15, the benchmarking range no host uses), a link-local and
 * a private one, and a server on all of them: the world outside the host, for guests' network
 * tests.
 */
record Outside(
    String namespace,
    Process server,
    String publicAddress,
    String linkLocalAddress,
    String privateAddress) {
  /**
   * @param server the server's command line, run in the namespace; it prints {@code listening} once
   *     it does
   */
  static Outside create(List<String> server) throws Exception {
    return create(server, Optional.empty());
  }

  /**
   * The world outside as seen from the network namespace of process {@code pid} (a pod's) alone:
   * the host has no way there.
   */
  static Outside reachedFrom(long pid, List<String> server) throws Exception {
    return create(server, Optional.of(pid));
  }

  /**
   * @param near the process whose namespace the veth pair joins to the new one (none: the host's)
   */
  private static Outside create(List<String> server, Optional<Long> near) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      Assumptions.abort("creating a network namespace for the test server needs root");
    }
    int n = ThreadLocalRandom.current().nextInt(1, 250);
    String namespace = "era-it-" + ProcessHandle.current().pid() + "-" + n;
    String hostSide = "eraitH" + n;
    String nsSide = "eraitN" + n;
    String publicAddress = "198.18." + n + ".2";
    String linkLocalAddress = "169.254." + n + ".2";
    String privateAddress = "10.213." + n + ".2";
    run("ip", "netns", "add", namespace);
    try {
      run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
      run("ip", "link", "set", nsSide, "netns", namespace);
      if (near.isPresent()) {
        run("ip", "link", "set", hostSide, "netns", near.get().toString());
      }
      List<String> there =
          near.map(pid -> List.of("nsenter", "--net=/proc/" + pid + "/ns/net")).orElse(List.of());
      run(there, "ip", "addr", "add", "198.18." + n + ".1/30", "dev", hostSide);
      run(there, "ip", "addr", "add", "169.254." + n + ".1/30", "dev", hostSide);
      run(there, "ip", "addr", "add", "10.213." + n + ".1/30", "dev", hostSide);
      run(there, "ip", "link", "set", hostSide, "up");
      for (String address : List.of(publicAddress, linkLocalAddress, privateAddress)) {
        run("ip", "-n", namespace, "addr", "add", address + "/30", "dev", nsSide);
      }
      run("ip", "-n", namespace, "link", "set", nsSide, "up");
      run("ip", "-n", namespace, "link", "set", "lo", "up");
      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
      command.addAll(server);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      if (!"listening".equals(first)) {
        process.destroyForcibly();
        throw new IllegalStateException("the test server did not start: " + first);
      }
      return new Outside(namespace, process, publicAddress, linkLocalAddress, privateAddress);
    } catch (Exception e) {
      run("ip", "netns", "del", namespace);
      throw e;
    }
  }

  void close() {
    server.destroyForcibly();
    try {
      server.waitFor(10, TimeUnit.SECONDS);
      run("ip", "netns", "del", namespace); // takes the veth pair with it
    } catch (Exception e) {
      throw new IllegalStateException("cannot remove network namespace " + namespace, e);
    }
  }

  private static void run(List<String> prefix, String... command)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(prefix);
    argv.addAll(List.of(command));
    run(argv.toArray(String[]::new));
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
