package dev.era.cli.cluster;

import dev.era.api.EraPool;
import dev.era.api.VmTemplate;
import dev.era.cli.CliException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The EraPools of the CLI's namespace: warm guests that `era create --pool` takes. */
public final class Pools {
  private final Cluster cluster;

  public Pools(Cluster cluster) {
    this.cluster = cluster;
  }

  public EraPool create(EraPool pool) {
    String name = pool.getMetadata().getName();
    try {
      return cluster.pools().create(pool);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new CliException(
            "a pool named '" + name + "' already exists", "pick another name", e);
      }
      if (e.getCode() == 422 || e.getCode() == 400) {
        throw new CliException(
            "the API server rejected pool '" + name + "': " + e.getMessage(),
            "check the flag values against `era pool create --help`",
            e);
      }
      throw e;
    }
  }

  /** The template of an existing pool. */
  public VmTemplate template(String name) {
    return cluster.pools().find(name).orElseThrow(() -> notFound(name)).getSpec().getTemplate();
  }

  /** Every pool in the namespace, by name. */
  public List<EraPool> list() {
    List<EraPool> pools = new ArrayList<>(cluster.pools().list());
    pools.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    return pools;
  }

  /** Deletes the pool: its ready guests stop, VMs that took one keep running. */
  public void delete(String name) {
    if (cluster.pools().find(name).isEmpty()) {
      throw notFound(name);
    }
    cluster.pools().delete(name);
  }

  private static CliException notFound(String name) {
    return new CliException("pool '" + name + "' not found", "list pools with `era pool list`");
  }
}
