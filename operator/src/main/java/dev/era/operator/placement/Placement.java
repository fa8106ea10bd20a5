package dev.era.operator.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks a node for a VM: among schedulable nodes with enough free CPU and memory, the one left with
 * the least free memory (best fit, so large VMs still find room), then the least free CPU, then by
 * name so that the choice is deterministic. A pinned VM considers only its node.
 */
public final class Placement {
  private static final int NODES_IN_MESSAGE = 5;

  private Placement() {}

  /** The chosen node, or why there is none. */
  public record Decision(Optional<String> node, String reason) {
    static Decision placed(String node) {
      return new Decision(Optional.of(node), "placed on " + node);
    }

    static Decision unschedulable(String reason) {
      return new Decision(Optional.empty(), reason);
    }
  }

  /**
   * @param used what the VMs already placed on each node hold (absent: nothing)
   */
  public static Decision choose(
      Resources request,
      String pinnedNode,
      Collection<NodeState> nodes,
      Map<String, Resources> used) {
    List<NodeState> candidates =
        nodes.stream()
            .filter(n -> pinnedNode == null || pinnedNode.equals(n.name()))
            .sorted(Comparator.comparing(NodeState::name))
            .toList();
    if (candidates.isEmpty()) {
      return Decision.unschedulable(
          pinnedNode == null
              ? "no EraNode exists: no node agent has registered"
              : "pinned node " + pinnedNode + " has no EraNode");
    }
    NodeState best = null;
    Resources bestFree = null;
    List<String> refusals = new ArrayList<>();
    for (NodeState node : candidates) {
      Resources free = node.capacity().minus(used.getOrDefault(node.name(), Resources.ZERO));
      if (!node.schedulable()) {
        refusals.add(node.name() + ": not Ready or heartbeat stale");
      } else if (!free.covers(request)) {
        refusals.add(node.name() + ": " + free + " free");
      } else if (best == null || tighter(free, bestFree)) {
        best = node;
        bestFree = free;
      }
    }
    if (best != null) {
      return Decision.placed(best.name());
    }
    String detail =
        String.join("; ", refusals.subList(0, Math.min(NODES_IN_MESSAGE, refusals.size())))
            + (refusals.size() > NODES_IN_MESSAGE
                ? "; and " + (refusals.size() - NODES_IN_MESSAGE) + " more"
                : "");
    return Decision.unschedulable(
        (pinnedNode == null ? "no node fits " : "pinned node " + pinnedNode + " does not fit ")
            + request
            + " ("
            + detail
            + ")");
  }

  private static boolean tighter(Resources free, Resources than) {
    if (free.memoryBytes() != than.memoryBytes()) {
      return free.memoryBytes() < than.memoryBytes();
    }
    return free.cpu() < than.cpu();
  }
}
