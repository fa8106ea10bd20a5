package dev.era.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventRecorderTest {
  @Test
  void longMessagesAreCutToTheLimitWithAnEllipsis() {
    String console = "x".repeat(EventRecorder.MAX_MESSAGE * 3);
    String cut = EventRecorder.cut(console);
    assertThat(cut).hasSize(EventRecorder.MAX_MESSAGE).endsWith("…");
    assertThat(console).startsWith(cut.substring(0, cut.length() - 1));
  }

  @Test
  void shortMessagesAreKeptWhole() {
    assertThat(EventRecorder.cut("VM booted")).isEqualTo("VM booted");
    assertThat(EventRecorder.cut(null)).isNull();
  }
}
