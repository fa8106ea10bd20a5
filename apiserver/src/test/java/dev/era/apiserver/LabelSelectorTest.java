package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  /** Set-based, equality and numeric requirements; a selector with several must meet them all. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          team in (a,b)                   | true  | false | false
          # notin also selects objects without the label
          team notin (a, b)               | false | true  | true
          team                            | true  | true  | false
          !team                           | false | false | true
          team=a                          | true  | false | false
          team==c                         | false | true  | false
          team!=a                         | false | true  | true
          replicas>2                      | true  | false | false
          replicas<2                      | false | false | false
          team in (a,c),tier,!legacy      | true  | false | false
          team in (a,c), tier notin (web) | false | true  | false
          """)
  void selectsTheObjectsItsRequirementsHoldFor(
      String selector, boolean teamA, boolean teamC, boolean unlabelled) {
    assertThat(matches(selector)).containsExactly(teamA, teamC, unlabelled);
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
