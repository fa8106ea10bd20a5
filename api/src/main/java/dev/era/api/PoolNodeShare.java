package dev.era.api;

import java.util.Objects;

/** EraPool {@code status.nodes[]}: how many of the pool's ready guests a node keeps. */
public class PoolNodeShare {
  private String node;
  private int replicas;

  public PoolNodeShare() {}

  public PoolNodeShare(String node, int replicas) {
    this.node = node;
    this.replicas = replicas;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public int getReplicas() {
    return replicas;
  }

  public void setReplicas(int replicas) {
    this.replicas = replicas;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolNodeShare other
        && replicas == other.replicas
        && Objects.equals(node, other.node);
  }

  @Override
  public int hashCode() {
    return Objects.hash(node, replicas);
  }

  @Override
  public String toString() {
    return node + "=" + replicas;
  }
}
