package dev.era.cli.commands;

import dev.era.api.EraVMSpec;
import dev.era.api.Language;
import dev.era.api.VmTemplate;
import dev.era.cli.CliException;
import picocli.CommandLine.Option;

/** What a guest is made of: {@code era create}, {@code era temp} and {@code era pool create}. */
public final class TemplateOptions {
  /** The flag's choices: egress needs an allow-list, which only a manifest can give. */
  enum Network {
    none,
    full
  }

  @Option(
      names = "--language",
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

  /** Writes the flags into the template (an EraVM's spec is one). */
  void applyTo(VmTemplate template) {
    template.setLanguage(language().name());
    template.setCpu(cpu);
    template.setMemory(memory);
    template.setNetwork(network.name());
  }

  Language language() {
    if (language == null) {
      throw new CliException("missing --language", "give --language python or node");
    }
    return language;
  }
}
