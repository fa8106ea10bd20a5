package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {
  private static final JsonNode TEAM_A =
      object("{\"team\": \"a\", \"tier\": \"web\", \"replicas\": \"3\"}");
  private static final JsonNode TEAM_C = object("{\"team\": \"c\"}");
  private static final JsonNode UNLABELLED = object("{}");

  private static JsonNode object(String labels) {
    return Json.read("{\"metadata\": {\"name\": \"x\", \"labels\": " + labels + "}}");
  }

  private static List<Boolean> matches(String selector) {
    LabelSelector parsed = LabelSelector.parse(selector);
    return List.of(parsed.matches(TEAM_A), parsed.matches(TEAM_C), parsed.matches(UNLABELLED));
  }

  @Test
  void setBasedRequirements() {
    assertThat(matches("team in (a,b)")).containsExactly(true, false, false);
    assertThat(matches("team notin (a, b)"))
        .as("notin also selects objects without the label")
        .containsExactly(false, true, true);
    assertThat(matches("team")).containsExactly(true, true, false);
    assertThat(matches("!team")).containsExactly(false, false, true);
  }

  @Test
  void equalityAndNumericRequirements() {
    assertThat(matches("team=a")).containsExactly(true, false, false);
    assertThat(matches("team==c")).containsExactly(false, true, false);
    assertThat(matches("team!=a")).containsExactly(false, true, true);
    assertThat(matches("replicas>2")).containsExactly(true, false, false);
    assertThat(matches("replicas<2")).containsExactly(false, false, false);
  }

  @Test
  void requirementsAllHold() {
    assertThat(matches("team in (a,c),tier,!legacy")).containsExactly(true, false, false);
    assertThat(matches("team in (a,c), tier notin (web)")).containsExactly(false, true, false);
  }

  @Test
  void parsesKeysWithPrefixesAndEmptyValues() {
    LabelSelector selector = LabelSelector.parse("era.dev/node in (n1,n2),app=");
    assertThat(selector.requirements())
        .containsExactly(
            new LabelSelector.Requirement(
                "era.dev/node", LabelSelector.Operator.IN, Set.of("n1", "n2")),
            new LabelSelector.Requirement("app", LabelSelector.Operator.EQUALS, Set.of("")));
    assertThat(LabelSelector.parse(null).matches(UNLABELLED)).isTrue();
  }

  @Test
  void refusesMalformedSelectorsWithBadRequest() {
    for (String bad :
        List.of(
            "team in (a",
            "team in a,b",
            "team=a b",
            "team=(a)",
            "bad key=1",
            "team,",
            "!team=a",
            "replicas>x",
            "-team=a",
            "team=a_")) {
      assertThatThrownBy(() -> LabelSelector.parse(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.code()).isEqualTo(400);
                assertThat(e.getMessage()).startsWith("unable to parse requirement: ");
              });
    }
  }
}
