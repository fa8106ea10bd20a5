package dev.era.cli.cluster;

import dev.era.api.EraRun;
import dev.era.api.EraRunPhase;
import dev.era.api.EraRunSpec;
import dev.era.api.RunFile;
import dev.era.cli.CliException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** EraRuns as the CLI uses them: submit one, wait for it to start and to end. */
public final class Runs {
  /** A running VM's node agent picks a run up within a second; this covers a busy host. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  /** Beyond the run's own timeout: the guest's kill and the status write. */
  private static final Duration FINISH_GRACE = Duration.ofMinutes(1);

  private final Cluster cluster;

  public Runs(Cluster cluster) {
    this.cluster = cluster;
  }

  public Cluster cluster() {
    return cluster;
  }

  /**
   * Submits {@code sh -c shell} with the files to the VM, under a fresh name {@code <vm>-<suffix>}.
   */
  public EraRun submit(String vm, String shell, List<RunFile> files, int timeoutSeconds) {
    EraRun run = new EraRun();
    run.setMetadata(new ObjectMetaBuilder().withName(Names.withSuffix(vm)).build());
    EraRunSpec spec = run.getSpec();
    spec.setVmName(vm);
    spec.setShell(shell);
    spec.setFiles(files);
    spec.setTimeoutSeconds(timeoutSeconds);
    try {
      return cluster.runs().create(run);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 422 || e.getCode() == 400) {
        throw new CliException(
            "the API server rejected the run: "
                + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()),
            "check --cmd and --file",
            e);
      }
      throw e;
    }
  }

  public Optional<EraRun> find(String name) {
    return cluster.runs().find(name);
  }

  public EraRun get(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new CliException(
                    "run '" + name + "' not found",
                    "runs are kept for an hour after they end; list them with `kubectl get eraruns`"));
  }

  /**
   * Waits until a node has the run (it runs, or has already ended); failing before that is an
   * error.
   */
  public EraRun awaitStarted(String name) {
    EraRun run =
        await(
            name, r -> r.getStatus().getPhase() != EraRunPhase.Pending, START_TIMEOUT, "to start");
    if (run.getStatus().getPhase() == EraRunPhase.Failed && run.getStatus().getExitCode() == null) {
      throw notRun(run);
    }
    return run;
  }

  /** Waits until a started run with this timeout has ended. */
  public EraRun awaitFinished(String name, int runTimeoutSeconds) {
    Duration timeout = Duration.ofSeconds(runTimeoutSeconds).plus(FINISH_GRACE);
    return await(name, r -> r.getStatus().getPhase().isFinished(), timeout, "to end");
  }

  /** The error for a run that ended without its command's exit code (VM gone, stopped, crashed). */
  public static CliException notRun(EraRun run) {
    String name = run.getMetadata().getName();
    String why =
        run.getStatus().getMessage() != null
            ? run.getStatus().getMessage()
            : run.getStatus().getReason();
    return new CliException(
        "run " + name + " failed: " + (why == null ? "no reason given" : why),
        "check the VM with `era list`");
  }

  private EraRun await(String name, Predicate<EraRun> done, Duration timeout, String what) {
    Instant deadline = Instant.now().plus(timeout);
    try (Poll poll = Poll.watching(cluster.runs(), List.of(name))) {
      return await(name, done, timeout, what, deadline, poll);
    }
  }

  private EraRun await(
      String name,
      Predicate<EraRun> done,
      Duration timeout,
      String what,
      Instant deadline,
      Poll poll) {
    while (true) {
      EraRun run =
          find(name)
              .orElseThrow(
                  () ->
                      new CliException(
                          "run '" + name + "' disappeared",
                          "someone removed it; run the command again"));
      if (done.test(run)) {
        return run;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new CliException(
            "run "
                + name
                + " did not get "
                + what
                + " within "
                + timeout.toSeconds()
                + " s (it is "
                + run.getStatus().getPhase()
                + ")",
            "see `era logs " + name + "` later, and the VM with `era list`");
      }
      poll.pause();
    }
  }
}
