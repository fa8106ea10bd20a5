package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A label selector as the API server parses it ({@code k8s.io/apimachinery/pkg/labels}): equality
 * ({@code k=v}, {@code k==v}, {@code k!=v}), set-based ({@code k in (a,b)}, {@code k notin (a,b)}),
 * existence ({@code k}, {@code !k}) and the numeric {@code k>1}, {@code k<1}, all of which must
 * hold.
 */
record LabelSelector(List<LabelSelector.Requirement> requirements) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern PREFIX =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  enum Operator {
    EQUALS,
    NOT_EQUALS,
    IN,
    NOT_IN,
    EXISTS,
    DOES_NOT_EXIST,
    GREATER_THAN,
    LESS_THAN
  }

  record Requirement(String key, Operator operator, Set<String> values) {
    boolean matches(JsonNode labels) {
      JsonNode label = labels.get(key);
      String value = label == null || !label.isTextual() ? null : label.asText();
      return switch (operator) {
        case EQUALS, IN -> value != null && values.contains(value);
        case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
        case EXISTS -> value != null;
        case DOES_NOT_EXIST -> value == null;
        case GREATER_THAN, LESS_THAN -> value != null && compares(value);
      };
    }

    private boolean compares(String value) {
      try {
        long actual = Long.parseLong(value);
        long bound = Long.parseLong(values.iterator().next());
        return operator == Operator.GREATER_THAN ? actual > bound : actual < bound;
      } catch (NumberFormatException e) {
        return false;
      }
    }
  }

  static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  /**
   * Parses a selector; null or blank selects everything. Refuses what the API server refuses, with
   * 400.
   */
  static LabelSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return EVERYTHING;
    }
    try {
      return new LabelSelector(new Parser(selector).requirements());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("unable to parse requirement: " + e.getMessage());
    }
  }

  boolean matches(JsonNode object) {
    JsonNode labels = object.path("metadata").path("labels");
    return requirements.stream().allMatch(r -> r.matches(labels));
  }

  /**
   * A small recursive-descent parser over the selector's tokens, as the API server's lexer splits
   * them.
   */
  private static final class Parser {
    private final List<String> tokens = new ArrayList<>();
    private int next;

    Parser(String selector) {
      int i = 0;
      while (i < selector.length()) {
        char c = selector.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (selector.startsWith("==", i) || selector.startsWith("!=", i)) {
          tokens.add(selector.substring(i, i + 2));
          i += 2;
        } else if ("=!(),<>".indexOf(c) >= 0) {
          tokens.add(String.valueOf(c));
          i++;
        } else {
          int start = i;
          while (i < selector.length()
              && !Character.isWhitespace(selector.charAt(i))
              && "=!(),<>".indexOf(selector.charAt(i)) < 0) {
            i++;
          }
          tokens.add(selector.substring(start, i));
        }
      }
    }

    List<Requirement> requirements() {
      List<Requirement> requirements = new ArrayList<>();
      while (true) {
        requirements.add(requirement());
        if (peek() == null) {
          return requirements;
        }
        expect(",", "expected ',' between requirements, found '" + peek() + "'");
        if (peek() == null) {
          throw new IllegalArgumentException(
              "found end of selector, expected a requirement after ','");
        }
      }
    }

    private Requirement requirement() {
      if ("!".equals(peek())) {
        next++;
        return new Requirement(key(), Operator.DOES_NOT_EXIST, Set.of());
      }
      String key = key();
      String operator = peek();
      if (operator == null || operator.equals(",")) {
        return new Requirement(key, Operator.EXISTS, Set.of());
      }
      next++;
      return switch (operator) {
        case "=", "==" -> new Requirement(key, Operator.EQUALS, Set.of(value(true)));
        case "!=" -> new Requirement(key, Operator.NOT_EQUALS, Set.of(value(true)));
        case "in" -> new Requirement(key, Operator.IN, valueSet(key));
        case "notin" -> new Requirement(key, Operator.NOT_IN, valueSet(key));
        case ">", "<" -> {
          String bound = value(false);
          if (!bound.matches("-?[0-9]+")) {
            throw new IllegalArgumentException(
                "for '" + operator + "' operator, the value must be an integer: " + bound);
          }
          yield new Requirement(
              key,
              operator.equals(">") ? Operator.GREATER_THAN : Operator.LESS_THAN,
              Set.of(bound));
        }
        default ->
            throw new IllegalArgumentException(
                "found '" + operator + "', expected: in, notin, =, ==, !=, gt, lt");
      };
    }

    private Set<String> valueSet(String key) {
      expect("(", "found '" + peek() + "', expected: '('");
      Set<String> values = new TreeSet<>();
      while (true) {
        values.add(value(true));
        String token = peek();
        next++;
        if (")".equals(token)) {
          return values;
        }
        if (!",".equals(token)) {
          throw new IllegalArgumentException(
              "found '" + token + "', expected: ',' or ')' in the values of " + key);
        }
      }
    }

    /**
     * A label value; empty where the next token ends the value ({@code k=} selects an empty label).
     */
    private String value(boolean emptyAllowed) {
      String token = peek();
      if (token == null || token.equals(",") || token.equals(")")) {
        if (emptyAllowed) {
          return "";
        }
        throw new IllegalArgumentException("found end of requirement, expected a value");
      }
      next++;
      if (token.length() > 63 || !NAME.matcher(token).matches()) {
        throw new IllegalArgumentException(
            "values[0]: Invalid value: \""
                + token
                + "\": a valid label must be an"
                + " empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
                + " alphanumeric character");
      }
      return token;
    }

    private String key() {
      String token = peek();
      if (token == null || "=!(),<>".contains(token) || token.equals("==") || token.equals("!=")) {
        throw new IllegalArgumentException(
            "found '" + (token == null ? "" : token) + "', expected: identifier");
      }
      next++;
      int slash = token.indexOf('/');
      String prefix = slash < 0 ? null : token.substring(0, slash);
      String name = token.substring(slash + 1);
      boolean validPrefix =
          prefix == null || (prefix.length() <= 253 && PREFIX.matcher(prefix).matches());
      if (!validPrefix || name.length() > 63 || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "key: Invalid value: \""
                + token
                + "\": name part must consist of"
                + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character,"
                + " with an optional DNS subdomain prefix and '/'");
      }
      return token;
    }

    private String peek() {
      return next < tokens.size() ? tokens.get(next) : null;
    }

    private void expect(String token, String message) {
      if (!token.equals(peek())) {
        throw new IllegalArgumentException(message);
      }
      next++;
    }
  }
}
