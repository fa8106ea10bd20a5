package dev.era.cli.commands;

import dev.era.api.EraPool;
import dev.era.api.EraPoolStatus;
import dev.era.api.VmTemplate;
import dev.era.cli.cluster.Cluster;
import dev.era.cli.cluster.Pools;
import dev.era.cli.output.Age;
import dev.era.cli.output.Table;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code era pool create|list|delete}: warm pools of ready guests. */
@Command(
    name = "pool",
    mixinStandardHelpOptions = true,
    description = {
      "Manages warm pools.",
      "A pool keeps guests booted and ready; `era create --pool NAME` takes one instead of booting."
    },
    subcommands = {
      PoolCommand.CreatePool.class,
      PoolCommand.ListPools.class,
      PoolCommand.DeletePools.class
    })
public final class PoolCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing a command: create, list or delete");
  }

  /** {@code era pool create NAME}. */
  @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a pool.")
  static final class CreatePool extends BaseCommand {
    @Parameters(paramLabel = "NAME", converter = FlagConverters.VmName.class)
    String name;

    @Mixin TemplateOptions template;

    @Option(
        names = "--replicas",
        paramLabel = "N",
        defaultValue = "1",
        description = "Ready guests to keep. Default: ${DEFAULT-VALUE}.")
    int replicas;

    @Override
    public Integer call() {
      EraPool pool = new EraPool();
      pool.setMetadata(new ObjectMetaBuilder().withName(name).build());
      template.applyTo(pool.getSpec().getTemplate());
      pool.getSpec().setReplicas(replicas);
      Cluster cluster = connect();
      EraPool created = new Pools(cluster).create(pool);
      if (json()) {
        printJson(created);
      } else {
        out()
            .println(
                "Pool "
                    + name
                    + " keeps "
                    + replicas
                    + " ready guests ("
                    + describe(created.getSpec().getTemplate())
                    + "); take one with: era create --pool "
                    + name);
      }
      return 0;
    }
  }

  /** {@code era pool list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the pools.")
  static final class ListPools extends BaseCommand {
    @Override
    public Integer call() {
      Cluster cluster = connect();
      List<EraPool> pools = new Pools(cluster).list();
      if (json()) {
        printJson(pools);
      } else if (pools.isEmpty()) {
        out().println("No pools.");
      } else {
        Instant now = Instant.now();
        Table table = new Table("NAME", "READY", "REPLICAS", "CLAIMED", "TEMPLATE", "AGE");
        for (EraPool pool : pools) {
          EraPoolStatus status = pool.getStatus();
          table.row(
              pool.getMetadata().getName(),
              count(status.getReady()),
              pool.getSpec().getReplicas(),
              count(status.getClaimed()),
              describe(pool.getSpec().getTemplate()),
              Age.since(pool.getMetadata().getCreationTimestamp(), now));
        }
        table.print(out());
      }
      return 0;
    }

    private static int count(Integer value) {
      return value == null ? 0 : value;
    }
  }

  /** {@code era pool delete NAME...}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes pools.",
        "Their ready guests stop; VMs that took one of their guests keep running."
      })
  static final class DeletePools extends BaseCommand {
    @Parameters(paramLabel = "NAME", arity = "1..*")
    List<String> names;

    @Override
    public Integer call() {
      Cluster cluster = connect();
      Pools pools = new Pools(cluster);
      for (String name : names) {
        pools.delete(name);
        if (!json()) {
          out().println("Pool " + name + " deleted.");
        }
      }
      return 0;
    }
  }

  static String describe(VmTemplate t) {
    return CreateCommand.shape(t.getLanguage(), t.getCpu(), t.getMemory(), t.getNetwork());
  }
}
