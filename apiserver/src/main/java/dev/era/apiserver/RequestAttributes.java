package dev.era.apiserver;

import io.fabric8.mockwebserver.http.HttpUrl;
import java.util.Locale;
import java.util.Optional;

/**
 * What RBAC decides on, taken from a request as kube-apiserver's {@code RequestInfoFactory} takes
 * it: a resource request has a verb ({@code get}, {@code list}, {@code watch}, {@code create},
 * {@code update}, {@code patch}, {@code delete}, {@code deletecollection}), API group, resource,
 * subresource, namespace and name; any other request is a non-resource one, with the HTTP method in
 * lower case as its verb and its path.
 *
 * @param apiGroup empty for the core group and for non-resource requests
 * @param namespace empty for cluster-scoped resources, lists across namespaces and non-resource
 *     requests
 * @param name empty when the request names no object
 */
record RequestAttributes(
    UserInfo user,
    String verb,
    boolean resourceRequest,
    String apiGroup,
    String resource,
    String subresource,
    String namespace,
    String name,
    String path) {

  static RequestAttributes of(UserInfo user, String method, HttpUrl url) {
    String path = url.encodedPath();
    String httpVerb = method.toLowerCase(Locale.ROOT);
    Optional<ResourcePath> parsed = ResourcePath.parse(path.replaceAll("/+$", ""));
    if (parsed.isEmpty()) {
      return new RequestAttributes(user, httpVerb, false, "", "", "", "", "", path);
    }
    ResourcePath resource = parsed.get();
    String name = resource.name() == null ? "" : resource.name();
    String verb =
        switch (httpVerb) {
          case "get", "head" -> !name.isEmpty() ? "get" : isWatch(url) ? "watch" : "list";
          case "post" -> "create";
          case "put" -> "update";
          case "delete" -> name.isEmpty() ? "deletecollection" : "delete";
          default -> httpVerb;
        };
    if (name.isEmpty() && (verb.equals("list") || verb.equals("watch"))) {
      name = nameSelected(url.queryParameter("fieldSelector"));
    }
    // A namespace is its own namespace, so a RoleBinding in it can grant access to it.
    String namespace =
        resource.group().isEmpty() && resource.plural().equals("namespaces")
            ? name
            : resource.namespace() == null ? "" : resource.namespace();
    return new RequestAttributes(
        user,
        verb,
        true,
        resource.group(),
        resource.plural(),
        resource.subresource() == null ? "" : resource.subresource(),
        namespace,
        name,
        path);
  }

  private static boolean isWatch(HttpUrl url) {
    String watch = url.queryParameter("watch");
    return "true".equals(watch) || "1".equals(watch);
  }

  /**
   * A list or watch of one object by {@code metadata.name=<name>} names it, so that rules limited
   * to resourceNames allow it; a selector that does not parse names nothing, as in kube-apiserver.
   */
  private static String nameSelected(String fieldSelector) {
    try {
      return FieldSelector.parse(fieldSelector).requirements().stream()
          .filter(r -> r.field().equals("metadata.name") && r.equal())
          .map(FieldSelector.Requirement::value)
          .findFirst()
          .orElse("");
    } catch (ApiException e) {
      return "";
    }
  }
}
