package dev.era.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.IntFunction;

/** Checks of an integer field that the validators hold to a closed range. */
final class Bounds {
  private Bounds() {}

  /**
   * Asserts that {@code min} and {@code max} are accepted and that one past either end is the only
   * problem, reported as "{@code field}: must be between min and max (got value)".
   *
   * @param problems the validator's problems for a spec whose field is set to the value
   */
  static void assertRange(IntFunction<List<String>> problems, String field, int min, int max) {
    for (int outside : new int[] {min - 1, max + 1}) {
      assertThat(problems.apply(outside))
          .containsExactly(
              field + ": must be between " + min + " and " + max + " (got " + outside + ")");
    }
    assertThat(problems.apply(min)).isEmpty();
    assertThat(problems.apply(max)).isEmpty();
  }
}
