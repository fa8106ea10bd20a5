package dev.era.api;

import io.fabric8.crd.generator.annotation.PrinterColumn;
import java.util.ArrayList;
import java.util.List;

/**
 * Observed state of an EraPool, written by the operator through the status subresource: how many
 * guests each node keeps ({@code nodes}, which the node agents act on), how many are ready (as the
 * node agents report them in their EraNodes) and how many EraVMs are bound to one, and the Ready
 * condition.
 */
public class EraPoolStatus extends EraStatus {
  @PrinterColumn(name = "Ready")
  private Integer ready;

  @PrinterColumn(name = "Claimed")
  private Integer claimed;

  private List<PoolNodeShare> nodes = new ArrayList<>();

  /** Guests ready now on all nodes; null until the operator first counts them. */
  public Integer getReady() {
    return ready;
  }

  public void setReady(Integer ready) {
    this.ready = ready;
  }

  /** EraVMs bound to one of the pool's guests; null until the operator first counts them. */
  public Integer getClaimed() {
    return claimed;
  }

  public void setClaimed(Integer claimed) {
    this.claimed = claimed;
  }

  /** How many ready guests each node keeps; their sum is the replicas that found room. */
  public List<PoolNodeShare> getNodes() {
    return nodes;
  }

  public void setNodes(List<PoolNodeShare> nodes) {
    this.nodes = nodes == null ? new ArrayList<>() : new ArrayList<>(nodes);
  }

  /** The guests the node keeps for this pool; 0 when it keeps none. */
  public int replicasOn(String node) {
    return nodes.stream()
        .filter(n -> node.equals(n.getNode()))
        .mapToInt(PoolNodeShare::getReplicas)
        .sum();
  }
}
