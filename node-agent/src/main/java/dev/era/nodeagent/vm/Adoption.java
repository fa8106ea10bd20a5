package dev.era.nodeagent.vm;

import dev.era.api.EraPool;
import dev.era.api.EraVM;
import dev.era.api.Labels;
import dev.era.api.Times;
import dev.era.launcher.LaunchException;
import dev.era.launcher.Launcher;
import dev.era.launcher.VmHandle;
import dev.era.nodeagent.vm.VmRegistry.LocalVm;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * What an agent does before it reconciles anything: takes over the VMs still running from an
 * earlier agent (the launcher re-adopts them from its state directory), the EraVMs' own and the
 * warm guests of pools that still exist (ready again unless an EraVM names one in status.warmGuest:
 * then it is that VM's), and removes the ones nothing owns any more.
 */
public final class Adoption {
  private static final Logger LOG = Logger.getLogger(Adoption.class);

  private Adoption() {}

  /**
   * @return how many VMs were re-adopted
   */
  public static int run(
      KubernetesClient client,
      Launcher launcher,
      VmRegistry registry,
      WarmGuests warmGuests,
      String nodeName) {
    Map<String, EraVM> placed =
        client
            .resources(EraVM.class)
            .inAnyNamespace()
            .withLabel(Labels.NODE, nodeName)
            .list()
            .getItems()
            .stream()
            .collect(Collectors.toMap(VmSpecs::launcherId, Function.identity(), (a, b) -> a));
    List<EraPool> pools = client.resources(EraPool.class).inAnyNamespace().list().getItems();
    int adopted = 0;
    for (VmHandle vm : launcher.list()) {
      EraVM owner = placed.get(vm.id());
      Optional<EraPool> pool =
          pools.stream().filter(p -> WarmGuests.belongsTo(vm.id(), p)).findFirst();
      if (owner == null && pool.isPresent() && readyFor(vm, pool.get())) {
        // A guest no EraVM names was never handed out (or its hand-over was never written).
        warmGuests.adopt(pool.get(), vm);
        LOG.infof(
            "re-adopted warm guest %s of pool %s (pid %d)",
            vm.id(), pool.get().getMetadata().getName(), vm.pid());
        continue;
      }
      if (owner != null && (WarmGuests.isWarmGuest(vm.id()) || !bootedBeforeCreation(vm, owner))) {
        if (WarmGuests.isWarmGuest(vm.id())) {
          vm.toForeground(); // handed over just before the earlier agent could raise its priority
        }
        registry.add(new LocalVm(ResourceID.fromResource(owner), owner.getMetadata().getUid(), vm));
        LOG.infof(
            "re-adopted the VM of EraVM %s/%s (pid %d)",
            owner.getMetadata().getNamespace(), owner.getMetadata().getName(), vm.pid());
        adopted++;
        continue;
      }
      LOG.warnf(
          "removing VM %s (pid %d): %s",
          vm.id(),
          vm.pid(),
          owner == null
              ? "no EraVM placed on node " + nodeName + " and no EraPool owns it"
              : "it booted before EraVM "
                  + owner.getMetadata().getNamespace()
                  + "/"
                  + owner.getMetadata().getName()
                  + " was created, for an earlier one of that name");
      try {
        vm.kill();
        launcher.deleteDisk(vm.id());
      } catch (LaunchException e) {
        LOG.warnf("cannot remove the orphan VM %s: %s", vm.id(), e.getMessage());
      }
    }
    return adopted;
  }

  /** Whether the guest is one the pool still boots: its template has not changed since. */
  private static boolean readyFor(VmHandle guest, EraPool pool) {
    try {
      return VmSpecs.sameGuest(guest.spec(), VmSpecs.of("", pool.getSpec().getTemplate()));
    } catch (LaunchException e) {
      return false;
    }
  }

  /**
   * Whether the VM booted before its EraVM was created (a warm guest always did, and is told apart
   * by its unique id instead): then it was the VM of an earlier EraVM of the same namespace and
   * name, deleted while no agent watched. Its deletion was never handled, so it is an orphan and
   * its disk goes too, as on a deletion without {@link dev.era.api.Annotations#KEEP_PERSIST}.
   */
  private static boolean bootedBeforeCreation(VmHandle vm, EraVM owner) {
    return Times.parse(owner.getMetadata().getCreationTimestamp())
        .map(created -> vm.bootedAt().truncatedTo(ChronoUnit.SECONDS).isBefore(created))
        .orElse(false);
  }
}
