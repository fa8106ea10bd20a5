package dev.era.nodeagent.vm;

import dev.era.api.EraVM;
import dev.era.launcher.VmExit;
import dev.era.launcher.VmHandle;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The microVMs this agent runs, by EraVM. Each entry remembers the EraVM uid it was booted for: a
 * new EraVM with the same name is another VM, although its launcher id is the same. Listeners hear
 * when a VM ends without being asked to.
 */
public final class VmRegistry {
  /** A VM of this node and the EraVM (namespace/name and uid) it belongs to. */
  public record LocalVm(ResourceID key, String uid, VmHandle handle) {
    /** The EraVM as far as an event about it needs: namespace, name and uid. */
    public EraVM eraVm() {
      EraVM vm = new EraVM();
      vm.setMetadata(
          new ObjectMetaBuilder()
              .withNamespace(key.getNamespace().orElse(null))
              .withName(key.getName())
              .withUid(uid)
              .build());
      return vm;
    }
  }

  private final Map<ResourceID, LocalVm> vms = new ConcurrentHashMap<>();
  private final List<BiConsumer<LocalVm, VmExit>> exitListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

  /** Hears about VMs that ended on their own (crashed, killed from outside). */
  public void onUnexpectedExit(BiConsumer<LocalVm, VmExit> listener) {
    exitListeners.add(listener);
  }

  /** Hears when VMs come or go (capacity reports). */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  public void add(LocalVm vm) {
    vms.put(vm.key(), vm);
    vm.handle()
        .onExit()
        .thenAccept(
            exit -> {
              if (!exit.requested()) {
                exitListeners.forEach(l -> l.accept(vm, exit));
              }
            });
    changed();
  }

  public Optional<LocalVm> get(ResourceID key) {
    return Optional.ofNullable(vms.get(key));
  }

  public void remove(LocalVm vm) {
    if (vms.remove(vm.key(), vm)) {
      changed();
    }
  }

  public Collection<LocalVm> all() {
    return List.copyOf(vms.values());
  }

  /** The VM whose launcher id is {@code id}, if it runs here. */
  public Optional<LocalVm> byLauncherId(String id) {
    return vms.values().stream().filter(vm -> vm.handle().id().equals(id)).findFirst();
  }

  /** The running VM of the EraVM {@code namespace/name}, if it runs here. */
  public Optional<VmHandle> running(String namespace, String name) {
    return get(new ResourceID(name, namespace)).map(LocalVm::handle).filter(VmHandle::isAlive);
  }

  /** Forgets every VM without stopping any: they keep running for the next agent. */
  public void clear() {
    vms.clear();
  }

  private void changed() {
    changeListeners.forEach(Runnable::run);
  }
}
