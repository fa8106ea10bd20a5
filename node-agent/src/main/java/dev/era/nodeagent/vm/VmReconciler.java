package dev.era.nodeagent.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Finalizers;
import dev.era.api.Reasons;
import dev.era.api.ReservationPods;
import dev.era.kube.EventRecorder;
import dev.era.kube.ResourceWriter.Result;
import dev.era.launcher.Confinement;
import dev.era.launcher.GuestIdentity;
import dev.era.launcher.LaunchException;
import dev.era.launcher.Launcher;
import dev.era.launcher.ProgressListener;
import dev.era.launcher.StartKind;
import dev.era.launcher.VmExit;
import dev.era.launcher.VmHandle;
import dev.era.launcher.VmSpec;
import dev.era.nodeagent.logs.RunLogs;
import dev.era.nodeagent.vm.VmRegistry.LocalVm;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Makes the microVMs on this node match the EraVMs placed here (label {@code era.dev/node}): boots
 * the ones that should run, stops the ones that should not, tears down deleted ones (reporting it
 * with the condition {@link ConditionTypes#TORN_DOWN}, on which the operator removes the
 * finalizer), and reports each step in the EraVM's status; it writes nothing else of an EraVM. A VM
 * that dies is reported through its exit event ({@link VmExitSource}) and stays Failed until it is
 * stopped and started again.
 *
 * <p>Reconciles run on every event, status changes included: the operator's Scheduled and Expired
 * conditions are status, and a deletion must tear down even without a finalizer.
 */
@ControllerConfiguration(
    name = VmReconciler.NAME,
    generationAwareEventProcessing = false,
    triggerReconcilerOnAllEvents = true)
public final class VmReconciler implements Reconciler<EraVM> {
  public static final String NAME = "era-node-agent-vm";
  private static final Logger LOG = Logger.getLogger(VmReconciler.class);

  /** Phases a VM boots from; Running and Stopping without a local VM are reported first. */
  private static final Set<EraVMPhase> BOOTABLE =
      Set.of(EraVMPhase.Scheduled, EraVMPhase.Stopped, EraVMPhase.Provisioning);

  static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  /** How often a VM waiting for its reservation pod looks again. */
  static final Duration POD_RECHECK = Duration.ofMillis(200);

  private final Launcher launcher;
  private final VmRegistry registry;
  private final WarmGuests warmGuests;
  private final RunLogs logs;
  private final EventRecorder events;
  private final VmStatusWriter status;
  private final ReservationPodJoin podJoin;
  private final String nodeName;
  private final Duration stopTimeout;
  private final VmExitSource exits = new VmExitSource();

  /** Writes done beside a boot (its Provisioning status). */
  private final Executor writes =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "era-vm-status");
            t.setDaemon(true);
            return t;
          });

  public VmReconciler(
      KubernetesClient client,
      Launcher launcher,
      VmRegistry registry,
      WarmGuests warmGuests,
      RunLogs logs,
      EventRecorder events,
      String nodeName,
      Duration stopTimeout) {
    this.launcher = launcher;
    this.registry = registry;
    this.warmGuests = warmGuests;
    this.logs = logs;
    this.events = events;
    this.nodeName = nodeName;
    this.stopTimeout = stopTimeout;
    this.status = new VmStatusWriter(client, nodeName, () -> launcher.acceleratorProbe().reason());
    this.podJoin = new ReservationPodJoin(client, nodeName);
    registry.onUnexpectedExit((vm, exit) -> exits.fire(vm.key()));
  }

  @Override
  public List<EventSource<?, EraVM>> prepareEventSources(EventSourceContext<EraVM> context) {
    return List.of(exits);
  }

  @Override
  public UpdateControl<EraVM> reconcile(EraVM vm, Context<EraVM> context) {
    if (context.isPrimaryResourceDeleted()) {
      // Deleted, or moved to another node (the label no longer selects it here).
      tearDown(vm);
      return UpdateControl.noUpdate();
    }
    if (vm.isMarkedForDeletion()) {
      if (vm.hasFinalizer(Finalizers.VM_CLEANUP)) {
        try {
          tearDown(vm);
        } catch (LaunchException e) {
          // The finalizer stays until the node is clean; the reconcile is retried.
          events.warning(vm, Reasons.TEARDOWN_FAILED, e.getMessage());
          throw e;
        }
        String message =
            "removed from node "
                + nodeName
                + (vm.keepsPersistentDisk() ? "; persistent disk kept" : "");
        status.tornDown(vm, message);
        LOG.infof("EraVM %s/%s %s", namespace(vm), name(vm), message);
      }
      return UpdateControl.noUpdate();
    }
    Optional<LocalVm> local = localVm(vm);
    if (local.isPresent() && !local.get().handle().isAlive()) {
      died(vm, local.get());
    } else if (vm.shouldRun()) {
      try {
        run(vm, local);
      } catch (ReservationPodJoin.NotYet e) {
        status.provisioning(vm, "waiting: " + e.getMessage());
        return UpdateControl.<EraVM>noUpdate().rescheduleAfter(POD_RECHECK);
      }
    } else {
      stop(vm, local);
    }
    return UpdateControl.noUpdate();
  }

  /**
   * This EraVM's VM. A VM left by an earlier EraVM of the same name, whose deletion this agent
   * never saw, is torn down with its disk, as on a deletion without the keep annotation.
   */
  private Optional<LocalVm> localVm(EraVM vm) {
    Optional<LocalVm> local = registry.get(ResourceID.fromResource(vm));
    if (local.isPresent() && !local.get().uid().equals(uid(vm))) {
      LOG.infof(
          "EraVM %s/%s was recreated; removing the VM of the old one", namespace(vm), name(vm));
      destroy(local.get().handle().id(), local, false);
      return Optional.empty();
    }
    return local;
  }

  private void run(EraVM vm, Optional<LocalVm> local) {
    if (local.isPresent()) {
      status.running(vm, local.get().handle(), "running on node " + nodeName);
      return;
    }
    EraVMPhase phase = vm.getStatus().getPhase();
    if (phase == EraVMPhase.Running) {
      String message =
          "the microVM was not running when the node agent looked again"
              + " (it ended while no agent watched it)";
      if (status.failed(vm, Reasons.VM_DIED, message) == Result.WRITTEN) {
        events.warning(vm, Reasons.VM_DIED, message);
      }
    } else if (phase == EraVMPhase.Stopping) {
      status.stopped(vm); // an agent stopped while stopping it; the next reconcile boots it
    } else if (BOOTABLE.contains(phase)
        && !vm.getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID)) {
      boot(vm);
    }
    // Failed stays Failed (BootFailed, VMDied): stopping and starting the VM boots it again.
  }

  /**
   * @throws ReservationPodJoin.NotYet while the VM's reservation pod does not run here
   */
  private void boot(EraVM vm) {
    VmSpec spec;
    Confinement confinement;
    try {
      spec = VmSpecs.of(vm);
      confinement = podJoin.confinementOf(vm);
    } catch (LaunchException e) {
      bootFailed(vm, e.getMessage());
      return;
    }
    String pool = vm.getSpec().getPool();
    if (pool != null) {
      // In a pod, only the guest already in it will do: that of the warm pod the VM took over.
      WarmGuests.PoolKey key = new WarmGuests.PoolKey(namespace(vm), pool);
      Optional<VmHandle> guest =
          confinement.isNone()
              ? warmGuests.claim(key, spec)
              : warmPodSuffix(vm).flatMap(suffix -> warmGuests.claimIn(key, spec, suffix));
      if (guest.isPresent() && bind(vm, spec, guest.get())) {
        return;
      }
      if (guest.isEmpty()) {
        events.normal(
            vm,
            Reasons.POOL_DRY,
            "pool " + pool + " has no ready guest on node " + nodeName + "; booting one");
      }
    }
    String language = spec.language().id();
    String accelerator = launcher.accelerator().name().toLowerCase(Locale.ROOT);
    boolean imageMissing = !launcher.imagesPresent().contains(spec.language());
    String preparing =
        imageMissing
            ? "building the " + language + " guest image (first boot on this node; takes minutes)"
            : "booting the microVM (" + accelerator + ")";
    CompletableFuture<Result> provisioning;
    if (imageMissing) {
      if (status.provisioning(vm, preparing) == Result.DECLINED) {
        return;
      }
      provisioning = CompletableFuture.completedFuture(Result.WRITTEN);
    } else {
      // Written beside the start rather than before it, which would add an API round trip to
      // every boot; a start the write declines (deleted or moved meanwhile) is undone.
      provisioning =
          CompletableFuture.supplyAsync(() -> status.provisioning(vm, preparing), writes);
    }
    VmHandle handle;
    long started = System.nanoTime();
    try {
      if (imageMissing) {
        launcher.prepareImage(spec.language(), progress(vm, preparing));
        status.progress(vm, "booting the microVM (" + accelerator + ")");
        started = System.nanoTime();
      }
      handle =
          launcher.start(
              spec,
              confinement,
              discarded -> events.warning(vm, Reasons.SNAPSHOT_DISCARDED, discarded));
    } catch (LaunchException e) {
      if (joined(provisioning) != Result.DECLINED) {
        bootFailed(vm, e.getMessage());
      }
      return;
    }
    Result provisioned;
    try {
      provisioned = joined(provisioning);
    } catch (RuntimeException e) {
      handle.kill();
      throw e;
    }
    if (provisioned == Result.DECLINED) {
      handle.kill();
      return;
    }
    registry.add(new LocalVm(ResourceID.fromResource(vm), uid(vm), handle));
    String booted =
        String.format(
            Locale.ROOT,
            "%s in %.1f s on node %s (%s)",
            handle.startKind() == StartKind.SNAPSHOT_RESTORE
                ? "restored from a snapshot"
                : "booted",
            (System.nanoTime() - started) / 1e9,
            nodeName,
            accelerator);
    if (status.running(vm, handle, booted) == Result.WRITTEN) {
      events.normal(vm, Reasons.GUEST_READY, booted);
    }
  }

  /** The write's result; its failure as thrown, so that the reconcile is retried. */
  private static Result joined(CompletableFuture<Result> write) {
    try {
      return write.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /**
   * Hands a warm guest to the VM: from here it is the VM's (the registry entry and, once written,
   * status.warmGuest, by which a restarted agent finds it). No boot, so no Provisioning either. The
   * guest takes the VM's identity and fresh entropy, so that no two VMs of a pool share random
   * state or a hostname; a guest that cannot is stopped, and the VM boots one of its own.
   *
   * @return whether the VM now has the guest
   */
  private boolean bind(EraVM vm, VmSpec spec, VmHandle guest) {
    try {
      guest.renewIdentity(GuestIdentity.of(spec));
    } catch (LaunchException e) {
      LOG.warnf("warm guest %s did not take VM %s's identity: %s", guest.id(), spec.id(), e);
      guest.kill();
      return false;
    }
    registry.add(new LocalVm(ResourceID.fromResource(vm), uid(vm), guest));
    String message =
        "bound to warm guest "
            + guest.id()
            + " of pool "
            + vm.getSpec().getPool()
            + " on node "
            + nodeName;
    if (status.running(vm, guest, message) == Result.WRITTEN) {
      events.normal(vm, Reasons.WARM_GUEST, message);
    }
    return true;
  }

  /** The suffix of the VM's reservation pod's name, when that is a warm pod it took over. */
  private static Optional<String> warmPodSuffix(EraVM vm) {
    Map<String, String> annotations = vm.getMetadata().getAnnotations();
    return Optional.ofNullable(
            annotations == null ? null : annotations.get(ReservationPods.ANNOTATION))
        .flatMap(ReservationPods::warmSuffix);
  }

  private void bootFailed(EraVM vm, String message) {
    if (status.failed(vm, Reasons.BOOT_FAILED, message) == Result.WRITTEN) {
      events.warning(vm, Reasons.BOOT_FAILED, message);
    }
  }

  /** Image build steps, into status.message at most every {@link #PROGRESS_EVERY}. */
  private ProgressListener progress(EraVM vm, String prefix) {
    long[] last = {0};
    return step -> {
      long now = System.nanoTime();
      if (now - last[0] >= PROGRESS_EVERY.toNanos()) {
        last[0] = now;
        status.progress(vm, prefix + ": " + step);
      }
    };
  }

  private void died(EraVM vm, LocalVm local) {
    registry.remove(local);
    VmExit exit = local.handle().onExit().getNow(null);
    String message = "the microVM exited unexpectedly" + (exit == null ? "" : ": " + exit.reason());
    if (status.failed(vm, Reasons.VM_DIED, message) == Result.WRITTEN) {
      events.warning(vm, Reasons.VM_DIED, message);
    }
  }

  private void stop(EraVM vm, Optional<LocalVm> local) {
    if (local.isPresent()) {
      status.stopping(vm);
      try {
        local.get().handle().stop(stopTimeout);
      } finally {
        registry.remove(local.get());
      }
      if (status.stopped(vm) == Result.WRITTEN) {
        events.normal(vm, Reasons.STOPPED, status.stoppedMessage(vm));
      }
      return;
    }
    EraVMPhase phase = vm.getStatus().getPhase();
    boolean oursFailed =
        phase == EraVMPhase.Failed
            && (Reasons.BOOT_FAILED.equals(vm.getStatus().getReason())
                || Reasons.VM_DIED.equals(vm.getStatus().getReason()));
    if (phase == EraVMPhase.Scheduled
        || (phase.isOnNode() && phase != EraVMPhase.Stopped)
        || oursFailed) {
      status.stopped(vm);
    }
  }

  /**
   * Removes everything of the VM from this node: the process, its runtime files, the logs of its
   * runs and, unless the user asked to keep it ({@link EraVM#keepsPersistentDisk()}), its
   * persistent disk. Nothing when a newer EraVM of the same name has a VM here: the launcher id is
   * that one's now, and the old VM went when it was seen.
   */
  private void tearDown(EraVM vm) {
    Optional<LocalVm> local = registry.get(ResourceID.fromResource(vm));
    if (local.isPresent() && !local.get().uid().equals(uid(vm))) {
      return;
    }
    destroy(VmSpecs.launcherId(vm), local, vm.keepsPersistentDisk());
    logs.deleteForVm(namespace(vm), name(vm));
  }

  private void destroy(String vmId, Optional<LocalVm> local, boolean keepDisk) {
    // A disk that is kept is used again: the guest powers off, flushing /work, instead of dying.
    Consumer<VmHandle> end = keepDisk ? vm -> vm.stop(stopTimeout) : VmHandle::kill;
    local.ifPresent(
        l -> {
          registry.remove(l);
          end.accept(l.handle());
        });
    launcher.find(vmId).ifPresent(end);
    if (!keepDisk) {
      launcher.deleteDisk(vmId);
    }
  }

  private static String uid(EraVM vm) {
    return vm.getMetadata().getUid();
  }

  private static String namespace(EraVM vm) {
    return vm.getMetadata().getNamespace();
  }

  private static String name(EraVM vm) {
    return vm.getMetadata().getName();
  }
}
