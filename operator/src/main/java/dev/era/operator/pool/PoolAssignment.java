package dev.era.operator.pool;

import dev.era.api.PoolNodeShare;
import dev.era.operator.placement.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many of a pool's guests each node keeps. Guests stay where they are while their node still
 * qualifies and has room (moving one means killing a ready guest and booting another); the rest go
 * one at a time to the node with the most free memory left, so that a pool spreads over its nodes
 * and one lost node does not dry it up.
 */
public final class PoolAssignment {
  private PoolAssignment() {}

  /**
   * A node that may keep the pool's guests.
   *
   * @param free its capacity less what the EraVMs and the other pools' guests there hold
   */
  public record Candidate(String node, Resources free) {}

  /**
   * @param candidates the schedulable nodes the pool's node selector matches
   * @param current the shares of the pool's status, kept where they still fit
   * @return the shares, by node name, of at most {@code replicas} guests; fewer when they do not
   *     fit
   */
  public static List<PoolNodeShare> assign(
      int replicas, Resources guest, List<Candidate> candidates, List<PoolNodeShare> current) {
    Map<String, Resources> free = new LinkedHashMap<>();
    candidates.stream()
        .sorted(Comparator.comparing(Candidate::node))
        .forEach(c -> free.put(c.node(), c.free()));
    Map<String, Integer> shares = new LinkedHashMap<>();
    int left = replicas;
    for (PoolNodeShare share : current) {
      Resources room = free.get(share.getNode());
      if (room == null || left == 0) {
        continue;
      }
      int kept = (int) Math.min(Math.min(share.getReplicas(), left), room.fits(guest));
      if (kept > 0) {
        shares.merge(share.getNode(), kept, Integer::sum);
        free.put(share.getNode(), room.minus(guest.times(kept)));
        left -= kept;
      }
    }
    for (; left > 0; left--) {
      String roomiest = null;
      for (Map.Entry<String, Resources> node : free.entrySet()) {
        if (node.getValue().covers(guest)
            && (roomiest == null
                || node.getValue().memoryBytes() > free.get(roomiest).memoryBytes())) {
          roomiest = node.getKey();
        }
      }
      if (roomiest == null) {
        break;
      }
      shares.merge(roomiest, 1, Integer::sum);
      free.put(roomiest, free.get(roomiest).minus(guest));
    }
    List<PoolNodeShare> result = new ArrayList<>();
    shares.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> result.add(new PoolNodeShare(e.getKey(), e.getValue())));
    return result;
  }
}
