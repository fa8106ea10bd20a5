package dev.era.operator.pool;

import dev.era.api.EraPool;
import dev.era.api.PoolNodeShare;
import dev.era.operator.placement.Resources;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The room pools' guests hold on each node: their shares (status.nodes) times their template. */
public final class PoolShares {
  private PoolShares() {}

  public static Map<String, Resources> of(Stream<EraPool> pools) {
    Map<String, Resources> held = new HashMap<>();
    pools.forEach(pool -> addTo(held, pool));
    return held;
  }

  static void addTo(Map<String, Resources> held, EraPool pool) {
    Resources guest = Resources.of(pool.getSpec().getTemplate());
    for (PoolNodeShare share : pool.getStatus().getNodes()) {
      held.merge(share.getNode(), guest.times(share.getReplicas()), Resources::plus);
    }
  }
}
