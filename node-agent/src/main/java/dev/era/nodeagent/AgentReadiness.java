package dev.era.nodeagent;

import dev.era.launcher.GuestLanguage;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Whether this node agent can take VMs now, for the DaemonSet's readiness probe ({@code GET
 * /readyz}): its controllers are started, its launcher works (the accelerator probe succeeded and
 * every guest image is present, so no VM waits for an image build) and it reported its EraNode
 * Ready within the last two heartbeats (one late heartbeat is tolerated; an API server it cannot
 * reach is not). Fed by {@link NodeReporter} after each report and by {@link NodeAgent} once its
 * controllers run.
 */
final class AgentReadiness {
  private record Report(Instant at, Optional<String> launcherProblem, Set<GuestLanguage> images) {}

  private final Duration maxAge;
  private volatile boolean controllersStarted;
  private volatile Report last;

  AgentReadiness(Duration heartbeat) {
    this.maxAge = heartbeat.multipliedBy(2);
  }

  void controllersStarted() {
    controllersStarted = true;
  }

  /** The EraNode was just written: Ready, or not because of {@code launcherProblem}. */
  void reported(Instant at, Optional<String> launcherProblem, Set<GuestLanguage> images) {
    last = new Report(at, launcherProblem, Set.copyOf(images));
  }

  /** Empty when ready; otherwise why not, for the probe's answer. */
  Optional<String> problem(Instant now) {
    Report report = last;
    if (report == null) {
      return Optional.of("the EraNode has not been reported yet");
    }
    if (report.at().plus(maxAge).isBefore(now)) {
      return Optional.of(
          "the EraNode was last reported at "
              + report.at()
              + ", more than "
              + maxAge.toSeconds()
              + " s ago");
    }
    if (report.launcherProblem().isPresent()) {
      return Optional.of("the launcher cannot run VMs: " + report.launcherProblem().get());
    }
    Set<GuestLanguage> missing = EnumSet.allOf(GuestLanguage.class);
    missing.removeAll(report.images());
    if (!missing.isEmpty()) {
      return Optional.of(
          "guest images missing: " + missing.stream().map(GuestLanguage::id).toList());
    }
    if (!controllersStarted) {
      return Optional.of("the agent's controllers are not started yet");
    }
    return Optional.empty();
  }
}
