package dev.era.cli.cluster;

import dev.era.api.EraNode;
import dev.era.api.EraNodeStatus;
import dev.era.api.EraRun;
import dev.era.api.EraRunStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A run's stdout and stderr: from the node agent on the run's node when it can be reached
 * (complete, or followed live), else the tails kept in the run's status.
 */
public final class RunOutput {
  /** How much of a run's output {@link #follow} copied. */
  public enum Streamed {
    /** The node agent could not be reached: nothing was copied. */
    NONE,
    ALL,
    /** The stream broke off; the rest is on the node. */
    PARTIAL
  }

  /**
   * @param tailsOnly these are the tails kept in the status, of a longer output (the node agent
   *     could not be reached)
   * @param dropped the node dropped what the command wrote past its per-run log limit
   */
  public record Logs(String stdout, String stderr, boolean tailsOnly, boolean dropped) {
    /** Whether these are all the command wrote. */
    public boolean complete() {
      return !tailsOnly && !dropped;
    }
  }

  private static final int BUFFER = 8192;
  private final Cluster cluster;

  public RunOutput(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Copies stdout and stderr as the run writes them, until it ends. */
  public Streamed follow(EraRun run, OutputStream out, OutputStream err) {
    Optional<AgentLogs> agent = agentOf(run);
    if (agent.isEmpty()) {
      return Streamed.NONE;
    }
    String namespace = cluster.namespace();
    String name = run.getMetadata().getName();
    InputStream stdout;
    InputStream stderr;
    try {
      stdout = agent.get().open(namespace, name, "stdout", true);
    } catch (IOException e) {
      return Streamed.NONE;
    }
    try {
      stderr = agent.get().open(namespace, name, "stderr", true);
    } catch (IOException e) {
      closeQuietly(stdout);
      return Streamed.NONE;
    }
    AtomicBoolean broken = new AtomicBoolean();
    Thread errors = new Thread(() -> copy(stderr, err, broken), "era-stderr");
    errors.start();
    copy(stdout, out, broken);
    try {
      errors.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      broken.set(true);
    }
    return broken.get() ? Streamed.PARTIAL : Streamed.ALL;
  }

  /** The whole output of a run that has ended, or what its status kept of it. */
  public Logs read(EraRun run) {
    Optional<AgentLogs> agent = agentOf(run);
    if (agent.isPresent()) {
      try {
        String name = run.getMetadata().getName();
        return new Logs(
            readAll(agent.get(), name, "stdout"),
            readAll(agent.get(), name, "stderr"),
            false,
            dropped(run));
      } catch (IOException e) {
        // Not reachable from here (a pod IP of a real cluster): the status tails are what there is.
      }
    }
    EraRunStatus status = run.getStatus();
    boolean truncated =
        Boolean.TRUE.equals(status.getStdoutTruncated())
            || Boolean.TRUE.equals(status.getStderrTruncated());
    return new Logs(
        orEmpty(status.getStdout()), orEmpty(status.getStderr()), truncated, dropped(run));
  }

  /** Whether the node dropped some of the run's output (past its per-run log limit). */
  public static boolean dropped(EraRun run) {
    return Boolean.TRUE.equals(run.getStatus().getOutputDropped());
  }

  private String readAll(AgentLogs agent, String run, String stream) throws IOException {
    try (InputStream in = agent.open(cluster.namespace(), run, stream, false)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  private Optional<AgentLogs> agentOf(EraRun run) {
    String node = run.getStatus().getNodeName();
    if (node == null) {
      return Optional.empty();
    }
    return cluster
        .nodes()
        .find(node)
        .map(EraNode::getStatus)
        .map(EraNodeStatus::getAgentEndpoint)
        .map(endpoint -> new AgentLogs(endpoint, cluster.bearerToken()));
  }

  /** Copies chunk by chunk, flushing each, so that output shows up as the command writes it. */
  private static void copy(InputStream in, OutputStream out, AtomicBoolean broken) {
    byte[] buffer = new byte[BUFFER];
    try (in) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      broken.set(true);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // Nothing was read from it; nothing to lose.
    }
  }

  private static String orEmpty(String text) {
    return text == null ? "" : text;
  }
}
