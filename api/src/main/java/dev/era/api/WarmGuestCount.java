package dev.era.api;

import java.util.Objects;

/** EraNode {@code status.pools[]}: how many ready guests of one EraPool the node holds. */
public class WarmGuestCount {
  private String namespace;
  private String pool;
  private int ready;

  public WarmGuestCount() {}

  public WarmGuestCount(String namespace, String pool, int ready) {
    this.namespace = namespace;
    this.pool = pool;
    this.ready = ready;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getPool() {
    return pool;
  }

  public void setPool(String pool) {
    this.pool = pool;
  }

  public int getReady() {
    return ready;
  }

  public void setReady(int ready) {
    this.ready = ready;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WarmGuestCount other
        && ready == other.ready
        && Objects.equals(namespace, other.namespace)
        && Objects.equals(pool, other.pool);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, pool, ready);
  }
}
