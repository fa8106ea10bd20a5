package dev.era.apiserver;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;

/**
 * Whether one RBAC rule covers a request, by the rules of Kubernetes' {@code RuleAllows}: every
 * list matches exactly or with {@code *}; a subresource is covered by {@code eravms/status}, by
 * {@code *} followed by {@code /status}, or by {@code *}, never by {@code eravms}; an empty
 * resourceNames list covers every name; a non-resource URL rule ending in {@code *} covers the
 * paths it prefixes. Resource rules never cover non-resource requests, nor the other way round.
 */
final class PolicyRules {
  static final String ALL = "*";

  private PolicyRules() {}

  static boolean covers(PolicyRule rule, RequestAttributes request) {
    if (!matches(rule.getVerbs(), request.verb())) {
      return false;
    }
    if (!request.resourceRequest()) {
      return coversPath(orEmpty(rule.getNonResourceURLs()), request.path());
    }
    return matches(rule.getApiGroups(), request.apiGroup())
        && coversResource(orEmpty(rule.getResources()), request.resource(), request.subresource())
        && (orEmpty(rule.getResourceNames()).isEmpty()
            || rule.getResourceNames().contains(request.name()));
  }

  private static boolean matches(List<String> allowed, String value) {
    return orEmpty(allowed).contains(ALL) || orEmpty(allowed).contains(value);
  }

  private static boolean coversResource(
      List<String> resources, String resource, String subresource) {
    String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
    return resources.stream()
        .anyMatch(
            r ->
                r.equals(ALL)
                    || r.equals(combined)
                    || (!subresource.isEmpty() && r.equals(ALL + "/" + subresource)));
  }

  private static boolean coversPath(List<String> urls, String path) {
    return urls.stream()
        .anyMatch(
            url ->
                url.equals(ALL)
                    || url.equals(path)
                    || (url.endsWith(ALL) && path.startsWith(url.replaceAll("\\*+$", ""))));
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }
}
