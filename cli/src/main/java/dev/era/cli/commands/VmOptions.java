package dev.era.cli.commands;

import dev.era.api.EraVM;
import dev.era.api.EraVMSpec;
import dev.era.api.Language;
import dev.era.api.PersistSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import picocli.CommandLine.Option;

/** What a new VM looks like: {@code era create} and {@code era temp}. */
public final class VmOptions {
  /** The flag's choices: egress needs an allow-list, which only a manifest can give. */
  enum Network {
    none,
    full
  }

  @Option(
      names = "--language",
      required = true,
      paramLabel = "LANGUAGE",
      description = "Guest image: ${COMPLETION-CANDIDATES}.")
  Language language;

  @Option(
      names = "--cpu",
      paramLabel = "N",
      defaultValue = "" + EraVMSpec.MIN_CPU,
      converter = FlagConverters.Cpu.class,
      description = "Virtual CPUs, 1-64. Default: ${DEFAULT-VALUE}.")
  int cpu;

  @Option(
      names = "--mem",
      paramLabel = "MiB",
      defaultValue = EraVMSpec.DEFAULT_MEMORY,
      converter = FlagConverters.Memory.class,
      description =
          "Memory in MiB, or a quantity such as 1Gi; at least 128 MiB. Default: ${DEFAULT-VALUE}.")
  String memory;

  @Option(
      names = "--network",
      paramLabel = "MODE",
      defaultValue = EraVMSpec.DEFAULT_NETWORK,
      description =
          "none (no network device) or full (outbound access). Default: ${DEFAULT-VALUE}.")
  Network network;

  @Option(
      names = "--persist",
      paramLabel = "SIZE",
      converter = FlagConverters.DiskSize.class,
      description =
          "A persistent disk on /work of this size (1Gi; plain numbers are MiB), kept while the VM is"
              + " stopped.")
  String persist;

  EraVM toVm(String name) {
    EraVM vm = new EraVM();
    vm.setMetadata(new ObjectMetaBuilder().withName(name).build());
    EraVMSpec spec = vm.getSpec();
    spec.setLanguage(language.name());
    spec.setCpu(cpu);
    spec.setMemory(memory);
    spec.setNetwork(network.name());
    if (persist != null) {
      spec.setPersist(new PersistSpec(persist));
    }
    return vm;
  }
}
