package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LabelSelectorsTest {
  @Test
  void acceptsEqualityAndExistenceSelectors() {
    assertThatCode(() -> LabelSelectors.check("era.dev/node=n1,app!=x,tier,!legacy,a==b")).doesNotThrowAnyException();
    assertThatCode(() -> LabelSelectors.check(null)).doesNotThrowAnyException();
  }

  @Test
  void refusesSetBasedSelectorsInsteadOfMatchingEverything() {
    assertThatThrownBy(() -> LabelSelectors.check("env in (a,b)"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("env in (a");
    assertThatThrownBy(() -> LabelSelectors.check("app=")).isInstanceOf(ApiException.class);
  }
}
