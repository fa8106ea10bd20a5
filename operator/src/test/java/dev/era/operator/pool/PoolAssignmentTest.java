package dev.era.operator.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.PoolNodeShare;
import dev.era.operator.placement.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolAssignmentTest {
  private static final long MIB = 1024L * 1024L;
  private static final Resources GUEST = new Resources(1, 256 * MIB);

  private static PoolAssignment.Candidate node(String name, int cpu, long memoryMib) {
    return new PoolAssignment.Candidate(name, new Resources(cpu, memoryMib * MIB));
  }

  @Test
  void guestsSpreadOverTheNodesWithTheMostFreeMemory() {
    List<PoolNodeShare> shares =
        PoolAssignment.assign(
            5,
            GUEST,
            List.of(node("a", 8, 1024), node("b", 8, 2048), node("c", 8, 512)),
            List.of());

    // b (2048 MiB) takes four guests until it has no more free than a (1024); a tie goes to a.
    assertThat(shares).containsExactly(new PoolNodeShare("a", 1), new PoolNodeShare("b", 4));
  }

  @Test
  void guestsStayWhereTheyAreWhileTheirNodeQualifiesAndHasRoom() {
    List<PoolNodeShare> shares =
        PoolAssignment.assign(
            3,
            GUEST,
            List.of(node("a", 8, 1024), node("b", 8, 8192)),
            List.of(new PoolNodeShare("a", 3)));

    assertThat(shares).containsExactly(new PoolNodeShare("a", 3));
  }

  @Test
  void guestsOfANodeThatNoLongerQualifiesMove() {
    List<PoolNodeShare> shares =
        PoolAssignment.assign(
            2,
            GUEST,
            List.of(node("b", 8, 8192)),
            List.of(new PoolNodeShare("a", 1), new PoolNodeShare("b", 1)));

    assertThat(shares).containsExactly(new PoolNodeShare("b", 2));
  }

  @Test
  void fewerReplicasShrinkTheShares() {
    assertThat(
            PoolAssignment.assign(
                1,
                GUEST,
                List.of(node("a", 8, 8192), node("b", 8, 8192)),
                List.of(new PoolNodeShare("a", 2), new PoolNodeShare("b", 2))))
        .containsExactly(new PoolNodeShare("a", 1));
  }

  @Test
  void onlyWhatFitsIsAssignedByCpuAndMemory() {
    List<PoolNodeShare> shares =
        PoolAssignment.assign(10, GUEST, List.of(node("a", 2, 8192), node("b", 8, 600)), List.of());

    assertThat(shares).containsExactly(new PoolNodeShare("a", 2), new PoolNodeShare("b", 2));
  }

  @Test
  void noCandidatesNoShares() {
    assertThat(PoolAssignment.assign(3, GUEST, List.of(), List.of(new PoolNodeShare("a", 3))))
        .isEmpty();
  }
}
