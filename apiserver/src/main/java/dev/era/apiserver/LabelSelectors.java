package dev.era.apiserver;

import java.util.regex.Pattern;

/**
 * Checks label selectors against what the CRUD store can evaluate, so that a selector it cannot
 * evaluate is refused instead of silently matching everything: equality ({@code k=v},
 * {@code k==v}, {@code k!=v}) and existence ({@code k}, {@code !k}) work; set-based ones
 * ({@code k in (a,b)}) are refused.
 */
final class LabelSelectors {
  private static final String KEY = "[a-zA-Z0-9-_./]+";
  private static final String VALUE = "[a-zA-Z0-9-_.]+";
  private static final Pattern LABEL_REQUIREMENT =
      Pattern.compile(KEY + "(==|!=|=)" + VALUE + "|!?" + KEY);

  private LabelSelectors() {}

  static void check(String selector) {
    if (selector == null || selector.isBlank()) {
      return;
    }
    for (String requirement : selector.split(",", -1)) {
      if (!LABEL_REQUIREMENT.matcher(requirement).matches()) {
        throw ApiException.badRequest("unable to parse requirement in label selector \"" + selector + "\": the"
            + " embedded API server supports key=value, key!=value, key and !key, not \"" + requirement + "\"");
      }
    }
  }
}
