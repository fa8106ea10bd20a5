package dev.era.operator.placement;

import dev.era.api.ConditionTypes;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.Labels;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Where each EraVM is placed and what each node has left. The informer cache is the record, but it
 * shows our own writes only after the watch delivers them; the ledger remembers the placements made
 * since, so that two reconciles never hand out the same free capacity and a VM is never placed
 * twice, and the capacity our writes released since, so that a VM woken for it finds it free.
 * Placement is serialised: one decision at a time sees every earlier one. Room held outside EraVMs
 * (warm pool guests) is counted as the {@code reserved} supplier reports it.
 */
public final class CapacityLedger {
  private final Supplier<Map<String, Resources>> reserved;

  /** Placement decisions the informer cache may not show yet; empty = moved off its node. */
  private final Map<ResourceID, Optional<String>> recent = new ConcurrentHashMap<>();

  /** VMs our own write stopped holding capacity, which the informer cache may show holding it. */
  private final Set<ResourceID> released = ConcurrentHashMap.newKeySet();

  public CapacityLedger() {
    this(Map::of);
  }

  /**
   * @param reserved room held on each node by something other than an EraVM
   */
  public CapacityLedger(Supplier<Map<String, Resources>> reserved) {
    this.reserved = reserved;
  }

  /** The node a VM is placed on, the newest knowledge first. */
  public Optional<String> nodeOf(EraVM vm) {
    Optional<String> known = recent.get(ResourceID.fromResource(vm));
    return known != null ? known : shownBy(vm);
  }

  /**
   * Chooses a node for {@code vm} given every VM in the cache, and records the choice.
   *
   * @param cachedVms reads the informer cache's EraVMs (which may lag behind this ledger); read
   *     under the lock, so that every VM placed before is in what it returns
   */
  public Placement.Decision place(
      EraVM vm, Supplier<Stream<EraVM>> cachedVms, Collection<NodeState> nodes) {
    return place(vm, cachedVms, nodes, Set.of());
  }

  /**
   * As {@link #place(EraVM, Supplier, Collection)}, trying first the nodes holding a ready guest
   * for the VM (of its pool): the VM takes that guest's room there, which the pool refills only
   * where it fits.
   *
   * @param warmNodes nodes with a ready guest for the VM
   */
  public synchronized Placement.Decision place(
      EraVM vm,
      Supplier<Stream<EraVM>> cachedVms,
      Collection<NodeState> nodes,
      Set<String> warmNodes) {
    ResourceID id = ResourceID.fromResource(vm);
    Map<String, Resources> used = usage(cachedVms.get(), id);
    Resources request = Resources.of(vm.getSpec());
    String pinned = vm.getSpec().getNodeName();
    Placement.Decision decision = null;
    if (!warmNodes.isEmpty()) {
      Map<String, Resources> guestsTaken = new HashMap<>(used);
      warmNodes.forEach(n -> guestsTaken.merge(n, request, Resources::minus));
      List<NodeState> warm = nodes.stream().filter(n -> warmNodes.contains(n.name())).toList();
      decision = Placement.choose(request, pinned, warm, guestsTaken);
    }
    if (decision == null || decision.node().isEmpty()) {
      decision = Placement.choose(request, pinned, nodes, used);
    }
    decision.node().ifPresent(node -> recent.put(id, Optional.of(node)));
    return decision;
  }

  /**
   * Whether a placed VM that is stopped fits on its node again, next to everything placed there
   * since it stopped.
   */
  public synchronized boolean fitsAgain(
      EraVM vm, NodeState node, Supplier<Stream<EraVM>> cachedVms) {
    Resources used =
        usage(cachedVms.get(), ResourceID.fromResource(vm))
            .getOrDefault(node.name(), Resources.ZERO);
    return node.capacity().minus(used).covers(Resources.of(vm.getSpec()));
  }

  /**
   * Takes note of a VM as a reconcile has just written it.
   *
   * @param heldBefore whether it held capacity as the reconcile read it
   * @return whether the write freed capacity: the VM held some and now holds none
   */
  public boolean written(EraVM vm, boolean heldBefore) {
    ResourceID id = ResourceID.fromResource(vm);
    if (holdsCapacity(vm)) {
      released.remove(id);
      return false;
    }
    if (heldBefore) {
      released.add(id);
    }
    return heldBefore;
  }

  /** Records that the VM no longer holds a place (its node was lost). */
  public void unplace(EraVM vm) {
    recent.put(ResourceID.fromResource(vm), Optional.empty());
  }

  /** What the VMs placed on each node hold; forgets decisions the cache has caught up with. */
  Map<String, Resources> usage(Stream<EraVM> cachedVms, ResourceID exclude) {
    Map<String, Resources> used = new HashMap<>(reserved.get());
    Set<ResourceID> present = new HashSet<>();
    for (EraVM cached : (Iterable<EraVM>) cachedVms::iterator) {
      ResourceID id = ResourceID.fromResource(cached);
      present.add(id);
      Optional<String> shown = shownBy(cached);
      Optional<String> known = recent.get(id);
      if (known != null && known.equals(shown)) {
        recent.remove(id, known);
      }
      if (!holdsCapacity(cached)) {
        released.remove(id); // the cache shows the release now
        continue;
      }
      if (id.equals(exclude) || released.contains(id)) {
        continue;
      }
      Optional<String> node = known != null ? known : shown;
      node.ifPresent(n -> used.merge(n, Resources.of(cached.getSpec()), Resources::plus));
    }
    // Every VM placed here was in the cache before this read (it was reconciled from there), so
    // one that is missing now has been deleted.
    recent.keySet().retainAll(present);
    released.retainAll(present);
    return used;
  }

  /**
   * A placed VM holds its CPU and memory while it is meant to run: not stopped by the user or by a
   * TTL, and not failed.
   */
  public static boolean holdsCapacity(EraVM vm) {
    return Boolean.TRUE.equals(vm.getSpec().getRunning())
        && !vm.getStatus().isTrue(ConditionTypes.EXPIRED)
        && vm.getStatus().getPhase() != EraVMPhase.Failed;
  }

  /** The node the VM's status (or else its label) shows it placed on. */
  public static Optional<String> shownBy(EraVM vm) {
    if (vm.getStatus().getNodeName() != null) {
      return Optional.of(vm.getStatus().getNodeName());
    }
    return Optional.ofNullable(vm.getMetadata().getLabels()).map(l -> l.get(Labels.NODE));
  }
}
