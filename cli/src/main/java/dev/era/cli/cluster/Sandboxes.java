package dev.era.cli.cluster;

import dev.era.api.Annotations;
import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Reasons;
import dev.era.cli.CliException;
import dev.era.cli.output.Progress;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** EraVMs as the CLI uses them: create, find, start, stop and remove, waiting with progress. */
public final class Sandboxes {
  /** How long a VM may stay unschedulable before the CLI stops waiting for it. */
  private static final Duration UNSCHEDULABLE_GRACE = Duration.ofSeconds(15);

  private final Cluster cluster;
  private final Progress progress;

  public Sandboxes(Cluster cluster, Progress progress) {
    this.cluster = cluster;
    this.progress = progress;
  }

  public EraVM create(EraVM vm) {
    String name = vm.getMetadata().getName();
    try {
      return cluster.vms().create(vm);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new CliException(
            "a VM named '" + name + "' already exists",
            "pick another --name, or remove it with `era clean --vm " + name + "`",
            e);
      }
      if (e.getCode() == 422 || e.getCode() == 400) {
        throw new CliException(
            "the API server rejected VM '" + name + "': " + statusMessage(e),
            "check the flag values against `era create --help`",
            e);
      }
      throw e;
    }
  }

  public Optional<EraVM> find(String name) {
    return cluster.vms().find(name);
  }

  public EraVM get(String name) {
    return find(name).orElseThrow(() -> notFound(name));
  }

  /** Every VM in the namespace, by name. */
  public List<EraVM> list() {
    List<EraVM> vms = new ArrayList<>(cluster.vms().list());
    vms.sort(Comparator.comparing(vm -> vm.getMetadata().getName()));
    return vms;
  }

  /** The VMs named, after checking that they all exist; {@code all} selects every VM. */
  public List<EraVM> select(Collection<String> names, boolean all) {
    if (all) {
      return list();
    }
    List<EraVM> vms = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) {
      vms.add(get(name));
    }
    return vms;
  }

  /** The VM, which must be Running: commands can only run there. */
  public EraVM requireRunning(String name) {
    EraVM vm = get(name);
    EraVMPhase phase = vm.getStatus().getPhase();
    if (phase == EraVMPhase.Running) {
      return vm;
    }
    String hint =
        switch (phase) {
          case Stopped, Stopping -> "start it with `era start --vm " + name + "`";
          case Failed ->
              "see why with `era list` or `kubectl describe eravm "
                  + name
                  + "`; remove it with `era clean --vm "
                  + name
                  + "`";
          default -> "wait until it has booted; see `era list`";
        };
    throw new CliException("VM '" + name + "' is not running (it is " + phase + ")", hint);
  }

  /** Waits until the VM runs; a failure, or no node to run it on, ends the wait with an error. */
  public EraVM awaitRunning(String name, Duration timeout) {
    try (Poll poll = Poll.watching(cluster.vms(), List.of(name))) {
      return awaitRunning(name, timeout, poll);
    }
  }

  private EraVM awaitRunning(String name, Duration timeout, Poll poll) {
    Instant deadline = Instant.now().plus(timeout);
    Instant unschedulableSince = null;
    while (true) {
      EraVM vm =
          find(name)
              .orElseThrow(
                  () ->
                      new CliException(
                          "VM '" + name + "' disappeared while starting",
                          "someone removed it; create it again"));
      VmView view = VmView.of(vm);
      progress.step(view.progressLine());
      EraVMPhase phase = vm.getStatus().getPhase();
      if (phase == EraVMPhase.Running) {
        return vm;
      }
      if (phase == EraVMPhase.Failed) {
        throw new CliException(
            "VM '" + name + "' failed: " + view.describe(),
            "remove it with `era clean --vm "
                + name
                + "`; `kubectl describe eravm "
                + name
                + "` tells more");
      }
      if (vm.getStatus().isFalseBecause(ConditionTypes.SCHEDULED, Reasons.UNSCHEDULABLE)) {
        unschedulableSince = unschedulableSince == null ? Instant.now() : unschedulableSince;
        if (Instant.now().isAfter(unschedulableSince.plus(UNSCHEDULABLE_GRACE))) {
          throw new CliException(
              "VM '" + name + "' fits on no node: " + view.describe(),
              "ask for less (--cpu, --mem) or stop other VMs; it waits as Pending until then, or remove it with"
                  + " `era clean --vm "
                  + name
                  + "`");
        }
      } else {
        unschedulableSince = null;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new CliException(
            "VM '"
                + name
                + "' is not running after "
                + timeout.toSeconds()
                + " s (it is "
                + phase
                + ")",
            "it may still be starting; see `era list`");
      }
      poll.pause();
    }
  }

  /** Sets spec.running, the user's wish; the node agent boots or stops the VM. */
  public void setRunning(String name, boolean running) {
    cluster.vms().mergePatch(name, "{\"spec\":{\"running\":" + running + "}}");
  }

  /** Waits until none of the VMs is on its way down any more (Stopped, or never placed). */
  public void awaitStopped(Collection<String> names, Duration timeout) {
    try (Poll poll = Poll.watching(cluster.vms(), names)) {
      awaitStopped(names, timeout, poll);
    }
  }

  private void awaitStopped(Collection<String> names, Duration timeout, Poll poll) {
    Instant deadline = Instant.now().plus(timeout);
    Set<String> waiting = new LinkedHashSet<>(names);
    while (!waiting.isEmpty()) {
      for (String name : List.copyOf(waiting)) {
        Optional<EraVM> vm = find(name);
        vm.ifPresent(v -> progress.step(VmView.of(v).progressLine()));
        if (vm.isEmpty() || isDown(vm.get())) {
          waiting.remove(name);
        }
      }
      if (!waiting.isEmpty() && Instant.now().isAfter(deadline)) {
        throw new CliException(
            "still stopping after " + timeout.toSeconds() + " s: " + String.join(", ", waiting),
            "see `era list`; the node agent's log is in the control plane's log");
      }
      if (!waiting.isEmpty()) {
        poll.pause();
      }
    }
  }

  /**
   * Deletes the VM; its node agent tears it down (disk included), then the API server forgets it.
   */
  public void delete(String name) {
    cluster.vms().delete(name);
  }

  /**
   * Marks the VM so that its node agent keeps the persistent disk when it is deleted, for a new VM
   * of the same name; called before {@link #delete}.
   */
  public void keepPersistentDisk(String name) {
    cluster
        .vms()
        .mergePatch(
            name,
            "{\"metadata\":{\"annotations\":{\"" + Annotations.KEEP_PERSIST + "\":\"true\"}}}");
  }

  public void awaitGone(Collection<String> names, Duration timeout) {
    try (Poll poll = Poll.watching(cluster.vms(), names)) {
      awaitGone(names, timeout, poll);
    }
  }

  private void awaitGone(Collection<String> names, Duration timeout, Poll poll) {
    Instant deadline = Instant.now().plus(timeout);
    Set<String> waiting = new LinkedHashSet<>(names);
    while (!waiting.isEmpty()) {
      waiting.removeIf(name -> find(name).isEmpty());
      if (waiting.isEmpty()) {
        return;
      }
      progress.step("removing " + String.join(", ", waiting));
      if (Instant.now().isAfter(deadline)) {
        throw new CliException(
            "still being removed after "
                + timeout.toSeconds()
                + " s: "
                + String.join(", ", waiting),
            "the node agent removes a VM once it has torn it down; see `kubectl get eravm -o yaml`");
      }
      poll.pause();
    }
  }

  public static CliException notFound(String name) {
    return new CliException("VM '" + name + "' not found", "list VMs with `era list`");
  }

  private static boolean isDown(EraVM vm) {
    EraVMPhase phase = vm.getStatus().getPhase();
    return phase == EraVMPhase.Stopped || phase == EraVMPhase.Failed || phase == EraVMPhase.Pending;
  }

  private static String statusMessage(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
  }
}
