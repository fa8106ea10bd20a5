package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Kubernetes JSONPath as CRD printer columns write it ({@code .status.phase}, {@code
 * .status.conditions[?(@.type=="Ready")].status}, {@code .metadata.labels.era\.dev/node}),
 * evaluated with Jayway JsonPath. Only the notation differs: Kubernetes paths start with a dot and
 * escape dots inside names, Jayway paths start with {@code $} and quote such names in brackets.
 */
final class ColumnPath {
  private static final Configuration CONFIGURATION =
      Configuration.builder()
          .jsonProvider(new JacksonJsonNodeJsonProvider(Json.MAPPER))
          .mappingProvider(new JacksonMappingProvider(Json.MAPPER))
          .options(Option.SUPPRESS_EXCEPTIONS)
          .build();
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-]+");

  private final JsonPath path;

  private ColumnPath(JsonPath path) {
    this.path = path;
  }

  /**
   * Compiles a Kubernetes JSONPath; a path Jayway cannot read is an {@link
   * IllegalArgumentException}.
   */
  static ColumnPath compile(String kubernetesPath) {
    try {
      return new ColumnPath(JsonPath.compile(toJayway(kubernetesPath)));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "unsupported JSONPath " + kubernetesPath + ": " + e.getMessage(), e);
    }
  }

  /**
   * The value at the path, or null where there is none. Like the API server, a path that selects
   * several values (a filter) yields the first.
   */
  JsonNode evaluate(JsonNode object) {
    JsonNode result = path.read(object, CONFIGURATION);
    if (result == null || result.isMissingNode() || result.isNull()) {
      return null;
    }
    if (!path.isDefinite()) {
      return result.isArray() && !result.isEmpty() ? result.get(0) : null;
    }
    return result;
  }

  /**
   * {@code .a.b\.c[0]} → {@code $.a['b.c'][0]}; bracket expressions (indexes, filters) are kept as
   * written.
   */
  static String toJayway(String kubernetesPath) {
    String p = kubernetesPath.trim();
    if (p.startsWith("{") && p.endsWith("}")) {
      p = p.substring(1, p.length() - 1).trim();
    }
    if (p.startsWith("$")) {
      p = p.substring(1);
    }
    StringBuilder out = new StringBuilder("$");
    List<String> tokens = tokens(p);
    for (String token : tokens) {
      if (token.startsWith("[")) {
        out.append(token);
      } else if (token.isEmpty()) {
        out.append('.'); // ".." recursive descent
      } else if (PLAIN_NAME.matcher(token).matches()) {
        out.append('.').append(token);
      } else {
        out.append("['").append(token.replace("\\", "\\\\").replace("'", "\\'")).append("']");
      }
    }
    return out.toString();
  }

  /** Splits into names (escapes resolved) and verbatim bracket expressions. */
  private static List<String> tokens(String p) {
    List<String> tokens = new ArrayList<>();
    StringBuilder name = null;
    int i = 0;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == '[') {
        if (name != null) {
          tokens.add(name.toString());
          name = null;
        }
        int end = closingBracket(p, i);
        tokens.add(p.substring(i, end + 1));
        i = end + 1;
      } else if (c == '.') {
        if (name != null) {
          tokens.add(name.toString());
        }
        name = new StringBuilder();
        i++;
      } else if (c == '\\' && i + 1 < p.length()) {
        name = name == null ? new StringBuilder() : name;
        name.append(p.charAt(i + 1));
        i += 2;
      } else {
        name = name == null ? new StringBuilder() : name;
        name.append(c);
        i++;
      }
    }
    if (name != null) {
      tokens.add(name.toString());
    }
    return tokens;
  }

  private static int closingBracket(String p, int open) {
    int depth = 0;
    char quote = 0;
    for (int i = open; i < p.length(); i++) {
      char c = p.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("unbalanced brackets in JSONPath " + p);
  }
}
