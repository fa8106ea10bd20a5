package dev.era.nodeagent.vm;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMStatus;
import dev.era.api.Labels;
import dev.era.api.Reasons;
import dev.era.api.Times;
import dev.era.kube.ResourceWriter;
import dev.era.kube.ResourceWriter.Result;
import dev.era.launcher.QemuAccelerator;
import dev.era.launcher.VmHandle;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The EraVM status fields the node agent owns, written for one VM at a time. Every write applies
 * only while the EraVM is still placed on this node and the phase may move that way. It never
 * writes the EraVM's metadata or spec.
 */
final class VmStatusWriter {
  static final int MAX_MESSAGE = 4096;

  private final ResourceWriter<EraVM> writer;
  private final String nodeName;
  private final Supplier<String> acceleratorReason;

  VmStatusWriter(KubernetesClient client, String nodeName, Supplier<String> acceleratorReason) {
    this.writer = ResourceWriter.direct(client);
    this.nodeName = nodeName;
    this.acceleratorReason = acceleratorReason;
  }

  Result provisioning(EraVM vm, String message) {
    return notReady(
        vm,
        EraVMPhase.Provisioning,
        v -> !v.isMarkedForDeletion() && v.shouldRun(),
        message,
        Reasons.BOOTING,
        message);
  }

  /** Progress of a boot (image build steps); only while still Provisioning. */
  Result progress(EraVM vm, String message) {
    return write(
        vm,
        EraVMPhase.Provisioning,
        v -> v.getStatus().getPhase() == EraVMPhase.Provisioning && !v.isMarkedForDeletion(),
        s -> {
          s.setMessage(message);
          s.setCondition(ConditionTypes.READY, false, Reasons.BOOTING, message, Instant.now());
        });
  }

  /**
   * @param message for the move to Running; a VM already Running keeps the message it has
   */
  Result running(EraVM vm, VmHandle handle, String message) {
    return write(
        vm,
        EraVMPhase.Running,
        v -> !v.isMarkedForDeletion(),
        s -> {
          Instant now = Instant.now();
          if (s.getPhase() != EraVMPhase.Running || s.getMessage() == null) {
            s.setMessage(message);
          }
          s.setPhase(EraVMPhase.Running);
          s.setReason(null);
          s.setBootedAt(Times.format(handle.bootedAt()));
          s.setWarmGuest(handle.id().equals(VmSpecs.vmId(vm)) ? null : handle.id());
          if (!s.isFalseBecause(ConditionTypes.READY, Reasons.INVALID)) {
            s.setCondition(
                ConditionTypes.READY, true, Reasons.GUEST_READY, "the guest agent answers", now);
          }
          boolean kvm = handle.accelerator() == QemuAccelerator.KVM;
          s.setCondition(
              ConditionTypes.ACCELERATED,
              kvm,
              kvm ? Reasons.KVM : Reasons.TCG,
              acceleratorReason.get(),
              now);
        });
  }

  /** Fails a VM that has not failed yet (a stale copy never fails it twice). */
  Result failed(EraVM vm, String reason, String message) {
    return write(
        vm,
        EraVMPhase.Failed,
        v -> v.getStatus().getPhase() != EraVMPhase.Failed,
        s -> {
          s.setPhase(EraVMPhase.Failed);
          s.setReason(reason);
          s.setMessage(cut(message));
          s.setCondition(ConditionTypes.READY, false, reason, cut(message), Instant.now());
        });
  }

  Result stopping(EraVM vm) {
    return notReady(
        vm, EraVMPhase.Stopping, v -> true, "stopping the microVM", Reasons.STOPPED, "stopping");
  }

  String stoppedMessage(EraVM vm) {
    return vm.getSpec().getPersist() != null
        ? "stopped; the persistent disk is kept on node " + nodeName
        : "stopped";
  }

  Result stopped(EraVM vm) {
    String message = stoppedMessage(vm);
    return notReady(vm, EraVMPhase.Stopped, v -> true, message, Reasons.STOPPED, message);
  }

  /**
   * The VM being deleted is gone from this node: the operator may remove its finalizer. The phase
   * stays as it was; the object goes away.
   */
  Result tornDown(EraVM vm, String message) {
    return writer.write(
        vm,
        v -> onThisNode(v) && v.isMarkedForDeletion(),
        v ->
            stamped(
                v,
                s ->
                    s.setCondition(
                        ConditionTypes.TORN_DOWN,
                        true,
                        Reasons.TORN_DOWN,
                        message,
                        Instant.now())));
  }

  /** Moves the VM to a phase that is not a failure and in which it is not Ready. */
  private Result notReady(
      EraVM vm,
      EraVMPhase phase,
      Predicate<EraVM> applies,
      String message,
      String readyReason,
      String readyMessage) {
    return write(
        vm,
        phase,
        applies,
        s -> {
          s.setPhase(phase);
          s.setReason(null);
          s.setMessage(message);
          s.setCondition(ConditionTypes.READY, false, readyReason, readyMessage, Instant.now());
        });
  }

  private Result write(
      EraVM vm, EraVMPhase target, Predicate<EraVM> applies, Consumer<EraVMStatus> edit) {
    return writer.write(
        vm,
        v -> onThisNode(v) && v.getStatus().getPhase().canTransitionTo(target) && applies.test(v),
        v -> stamped(v, edit));
  }

  /**
   * Applies the edit and records, in each condition it changed, the generation it acted on:
   * status.observedGeneration is the operator's.
   */
  private static void stamped(EraVM vm, Consumer<EraVMStatus> edit) {
    List<Condition> before =
        vm.getStatus().getConditions().stream().map(c -> new ConditionBuilder(c).build()).toList();
    edit.accept(vm.getStatus());
    vm.getStatus().getConditions().stream()
        .filter(c -> !before.contains(c))
        .forEach(c -> c.setObservedGeneration(vm.getMetadata().getGeneration()));
  }

  private boolean onThisNode(EraVM vm) {
    var labels = vm.getMetadata().getLabels();
    return labels != null && nodeName.equals(labels.get(Labels.NODE));
  }

  static String cut(String message) {
    if (message == null || message.length() <= MAX_MESSAGE) {
      return message;
    }
    return message.substring(0, MAX_MESSAGE - 1) + "…";
  }
}
