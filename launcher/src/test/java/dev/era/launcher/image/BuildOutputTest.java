package dev.era.launcher.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildOutputTest {
  private final List<String> steps = new ArrayList<>();
  private final BuildOutput output = new BuildOutput(steps::add);

  @Test
  void progressLinesReachTheListenerWithoutTheirPrefix() {
    output.accept("[era] python image: debootstrap python3 (1/3)");
    output.accept("some noise");
    output.accept("[era] python image: mkfs.erofs (3/3)");

    assertThat(steps)
        .containsExactly(
            "python image: debootstrap python3 (1/3)", "python image: mkfs.erofs (3/3)");
  }

  @Test
  void aFailureIsTheScriptsErrorAndTheLogTail() {
    output.accept("[era] python image: debootstrap python3 (1/3)");
    output.accept(
        "[era] error: python image: debootstrap python3 (1/3) failed (exit 1); full log: /c/build.log");
    output.accept("[era] | E: Couldn't download packages: python3");

    assertThat(output.failure(1))
        .isEqualTo(
            "python image: debootstrap python3 (1/3) failed (exit 1); full log: /c/build.log\n"
                + "last lines of the log:\n  E: Couldn't download packages: python3");
    assertThat(steps).hasSize(1);
  }

  @Test
  void withoutAnErrorLineTheFailureShowsTheLastRawLines() {
    for (int i = 0; i < 30; i++) {
      output.accept("line " + i);
    }

    String failure = output.failure(2);

    assertThat(failure)
        .startsWith("the guest image build failed (exit 2)")
        .contains("line 29", "line 10")
        .doesNotContain("line 9\n");
  }
}
