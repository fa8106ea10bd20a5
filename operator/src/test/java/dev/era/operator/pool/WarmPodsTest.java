package dev.era.operator.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.api.PoolNodeShare;
import dev.era.api.ReservationPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmPodsTest {
  private static Pod pod(String name, String node, String hash) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(ReservationPods.TEMPLATE_LABEL, hash)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .build();
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }

  @Test
  void missingPodsAreCreatedAndBoundOnesAreTheShares() {
    WarmPods.Plan plan =
        WarmPods.plan(
            4, "h", List.of(pod("a", "n1", "h"), pod("b", "n1", "h"), pod("c", null, "h")));

    assertThat(plan.create()).isEqualTo(1);
    assertThat(plan.delete()).isEmpty();
    assertThat(plan.shares()).containsExactly(new PoolNodeShare("n1", 2));
    assertThat(plan.unschedulable()).isEmpty();
  }

  @Test
  void podsOfAnOlderTemplateOrThatEndedAreReplacedAndGoingOnesIgnored() {
    Pod ended = pod("ended", "n1", "h");
    ended.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
    ended.getStatus().setPhase("Failed");
    Pod going = pod("going", "n2", "h");
    going.getMetadata().setDeletionTimestamp("2026-12-06T00:00:00Z");

    WarmPods.Plan plan =
        WarmPods.plan(2, "h", List.of(pod("old", "n1", "g"), ended, going, pod("ok", "n2", "h")));

    assertThat(names(plan.delete())).containsExactlyInAnyOrder("old", "ended");
    assertThat(plan.create()).isEqualTo(1);
    assertThat(plan.shares()).containsExactly(new PoolNodeShare("n2", 1));
  }

  @Test
  void surplusPodsGoThoseNotYetPlacedFirst() {
    WarmPods.Plan plan =
        WarmPods.plan(
            1, "h", List.of(pod("a", "n1", "h"), pod("b", null, "h"), pod("c", "n2", "h")));

    assertThat(names(plan.delete())).containsExactly("b", "a");
    assertThat(plan.create()).isZero();
    assertThat(plan.shares()).containsExactly(new PoolNodeShare("n2", 1));
  }

  @Test
  void kubeSchedulersVerdictOnAnUnplacedPodIsTheReason() {
    Pod waiting = pod("w", null, "h");
    waiting.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/2 nodes are available: 2 Insufficient memory.")
            .endCondition()
            .build());

    assertThat(WarmPods.plan(2, "h", List.of(pod("a", "n1", "h"), waiting)).unschedulable())
        .contains("0/2 nodes are available: 2 Insufficient memory.");
  }
}
