package dev.era.cli.commands;

import dev.era.api.EraVM;
import dev.era.api.EraVMSpec;
import dev.era.api.PersistSpec;
import dev.era.api.VmTemplate;
import dev.era.cli.cluster.Names;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What a new VM looks like: {@code era create} and {@code era temp}. With {@code --pool} the VM
 * takes the pool's template (the API requires a pool VM to match it) and a ready guest of it.
 */
public final class VmOptions {
  @Mixin TemplateOptions template;

  @Option(
      names = "--pool",
      paramLabel = "POOL",
      description =
          "Take a ready guest of this pool (`era pool create`): the VM gets the pool's language,"
              + " CPU, memory and network; --language, --cpu, --mem and --network are not used.")
  String pool;

  @Option(
      names = "--persist",
      paramLabel = "SIZE",
      converter = FlagConverters.DiskSize.class,
      description =
          "A persistent disk on /work of this size (1Gi; plain numbers are MiB), kept while the VM is"
              + " stopped.")
  String persist;

  /** The VM's default name: its language (or pool) and a random suffix. */
  String defaultName() {
    return Names.withSuffix(pool != null ? pool : template.language().name());
  }

  /**
   * @param poolTemplate reads a pool's template (only with --pool)
   */
  EraVM toVm(String name, Function<String, VmTemplate> poolTemplate) {
    EraVM vm = new EraVM();
    vm.setMetadata(new ObjectMetaBuilder().withName(name).build());
    EraVMSpec spec = vm.getSpec();
    if (pool != null) {
      VmTemplate fromPool = poolTemplate.apply(pool);
      spec.setPool(pool);
      spec.setLanguage(fromPool.getLanguage());
      spec.setCpu(fromPool.getCpu());
      spec.setMemory(fromPool.getMemory());
      spec.setNetwork(fromPool.getNetwork());
    } else {
      template.applyTo(spec);
    }
    if (persist != null) {
      spec.setPersist(new PersistSpec(persist));
    }
    return vm;
  }
}
