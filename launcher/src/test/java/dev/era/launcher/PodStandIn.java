package dev.era.launcher;

import dev.era.launcher.host.ProcessCgroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Stands in for a reservation pod's container: an idle process in a memory cgroup with a limit and
 * in a network namespace of its own (its loopback up), as kubelet would make one. Needs root.
 */
final class PodStandIn implements AutoCloseable {
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

  private final Path memoryCgroup;
  private final Process idle;

  private PodStandIn(Path memoryCgroup, Process idle) {
    this.memoryCgroup = memoryCgroup;
    this.idle = idle;
  }

  /** cgroup v1 (or hybrid) has a memory hierarchy of its own; v2 has memory.max in one tree. */
  static PodStandIn start(String name, long memoryLimitMib) throws IOException {
    boolean v1 = Files.isDirectory(CGROUPS.resolve("memory"));
    Path cgroup = Files.createDirectories((v1 ? CGROUPS.resolve("memory") : CGROUPS).resolve(name));
    Files.writeString(
        cgroup.resolve(v1 ? "memory.limit_in_bytes" : "memory.max"),
        Long.toString(memoryLimitMib << 20));
    Process idle =
        new ProcessBuilder(
                "unshare",
                "--net",
                "/bin/sh",
                "-c",
                "ip link set lo up && echo $$ > \"$0\" && exec sleep 600",
                cgroup.resolve("cgroup.procs").toString())
            .redirectErrorStream(true)
            .start();
    PodStandIn pod = new PodStandIn(cgroup, idle);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.readString(cgroup.resolve("cgroup.procs")).contains(pid(idle)));
    return pod;
  }

  private static String pid(Process process) {
    return Long.toString(process.pid());
  }

  long pid() {
    return idle.pid();
  }

  boolean isAlive() {
    return idle.isAlive();
  }

  /** What the node agent makes of the process: its cgroups and network namespace. */
  Confinement confinement() {
    return new Confinement(
        ProcessCgroups.procsFiles(idle.pid(), CGROUPS),
        Optional.of(Path.of("/proc", pid(idle), "ns", "net")));
  }

  Path memoryCgroup() {
    return memoryCgroup;
  }

  /** Sets the memory limit, as a pod's resize would. */
  void limitMemory(long mib) throws IOException {
    boolean v1 = Files.exists(memoryCgroup.resolve("memory.limit_in_bytes"));
    Files.writeString(
        memoryCgroup.resolve(v1 ? "memory.limit_in_bytes" : "memory.max"),
        Long.toString(mib << 20));
  }

  /** How many times the kernel OOM-killed a process of the cgroup. */
  long oomKills() throws IOException {
    Path v1 = memoryCgroup.resolve("memory.oom_control");
    List<String> lines =
        Files.readAllLines(Files.exists(v1) ? v1 : memoryCgroup.resolve("memory.events"));
    return lines.stream()
        .filter(line -> line.startsWith("oom_kill "))
        .mapToLong(line -> Long.parseLong(line.substring("oom_kill ".length()).strip()))
        .sum();
  }

  /** Ends the idle process and removes the cgroup once nothing is left in it. */
  @Override
  public void close() throws Exception {
    idle.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> Files.deleteIfExists(memoryCgroup) || !Files.exists(memoryCgroup));
  }
}
