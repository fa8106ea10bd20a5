package dev.era.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.launcher.GuestLanguage;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentReadinessTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Set<GuestLanguage> ALL = EnumSet.allOf(GuestLanguage.class);

  private final AgentReadiness readiness = new AgentReadiness(Duration.ofSeconds(5));

  @Test
  void isReadyOnceReportedWithAWorkingLauncherAndEveryImageAndStartedControllers() {
    readiness.reported(T0, Optional.empty(), ALL);
    readiness.controllersStarted();

    assertThat(readiness.problem(T0.plusSeconds(10))).isEmpty();
  }

  @Test
  void isNotReadyBeforeTheFirstReport() {
    readiness.controllersStarted();

    assertThat(readiness.problem(T0)).hasValueSatisfying(p -> assertThat(p).contains("not been"));
  }

  @Test
  void isNotReadyWhenTheLastReportIsOlderThanTwoHeartbeats() {
    readiness.reported(T0, Optional.empty(), ALL);
    readiness.controllersStarted();

    assertThat(readiness.problem(T0.plusSeconds(11)))
        .hasValueSatisfying(p -> assertThat(p).contains("last reported at " + T0));
  }

  @Test
  void isNotReadyWhileTheLauncherCannotRunVms() {
    readiness.reported(T0, Optional.of("qemu-system-x86_64 not found"), ALL);
    readiness.controllersStarted();

    assertThat(readiness.problem(T0))
        .hasValue("the launcher cannot run VMs: qemu-system-x86_64 not found");
  }

  @Test
  void isNotReadyWhileAGuestImageIsMissing() {
    readiness.reported(T0, Optional.empty(), EnumSet.of(GuestLanguage.PYTHON));
    readiness.controllersStarted();

    assertThat(readiness.problem(T0)).hasValue("guest images missing: [node]");
  }

  @Test
  void isNotReadyUntilTheControllersAreStarted() {
    readiness.reported(T0, Optional.empty(), ALL);

    assertThat(readiness.problem(T0)).hasValue("the agent's controllers are not started yet");
  }
}
