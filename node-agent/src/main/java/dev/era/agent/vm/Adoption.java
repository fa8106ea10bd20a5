package dev.era.agent.vm;

import dev.era.agent.vm.VmRegistry.LocalVm;
import dev.era.api.EraVM;
import dev.era.api.Labels;
import dev.era.launcher.LaunchException;
import dev.era.launcher.Launcher;
import dev.era.launcher.VmHandle;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * What an agent does before it reconciles anything: takes over the VMs still running from an
 * earlier agent (the launcher re-adopts them from its state directory) and removes the ones no
 * EraVM placed on this node owns any more.
 */
public final class Adoption {
  private static final Logger LOG = Logger.getLogger(Adoption.class);

  private Adoption() {}

  /** @return how many VMs were re-adopted */
  public static int run(KubernetesClient client, Launcher launcher, VmRegistry registry, String nodeName) {
    Map<String, EraVM> placed = client.resources(EraVM.class).inAnyNamespace()
        .withLabel(Labels.NODE, nodeName).list().getItems().stream()
        .collect(Collectors.toMap(VmSpecs::vmId, Function.identity()));
    int adopted = 0;
    for (VmHandle vm : launcher.list()) {
      EraVM owner = placed.get(vm.id());
      if (owner != null) {
        registry.add(new LocalVm(ResourceID.fromResource(owner), vm.id(), vm));
        LOG.infof("re-adopted the VM of EraVM %s/%s (pid %d)", owner.getMetadata().getNamespace(),
            owner.getMetadata().getName(), vm.pid());
        adopted++;
        continue;
      }
      LOG.warnf("removing VM %s (pid %d): no EraVM placed on node %s owns it", vm.id(), vm.pid(), nodeName);
      try {
        vm.kill();
        launcher.deleteDisk(vm.id());
      } catch (LaunchException e) {
        LOG.warnf("cannot remove the orphan VM %s: %s", vm.id(), e.getMessage());
      }
    }
    return adopted;
  }
}
