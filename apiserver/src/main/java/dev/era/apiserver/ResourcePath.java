package dev.era.apiserver;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A resource URL split into its parts: {@code /api/v1/namespaces/ns/configmaps/x} or {@code
 * /apis/era.dev/v1alpha1/namespaces/ns/eravms/x/status}.
 *
 * @param group the API group, empty for the core group
 * @param namespace null for cluster-scoped resources and for lists across all namespaces
 * @param name null for collections
 * @param subresource null unless the path names one, e.g. {@code status}
 */
record ResourcePath(
    String group,
    String version,
    String namespace,
    String plural,
    String name,
    String subresource) {
  /** Subresources of a namespace, which would otherwise read as a resource type inside it. */
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  /** Parses the path part of a URL (no query); empty when it is not a resource URL. */
  static Optional<ResourcePath> parse(String path) {
    List<String> segments = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
    String group;
    String version;
    List<String> rest;
    if (segments.size() >= 3 && segments.get(0).equals("api")) {
      group = "";
      version = segments.get(1);
      rest = segments.subList(2, segments.size());
    } else if (segments.size() >= 4 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      version = segments.get(2);
      rest = segments.subList(3, segments.size());
    } else {
      return Optional.empty();
    }
    boolean namespacedForm =
        rest.size() >= 3
            && rest.get(0).equals("namespaces")
            && !NAMESPACE_SUBRESOURCES.contains(rest.get(2));
    String namespace = null;
    if (namespacedForm) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.size() > 3) {
      return Optional.empty();
    }
    return Optional.of(
        new ResourcePath(
            group,
            version,
            namespace,
            rest.get(0),
            rest.size() > 1 ? rest.get(1) : null,
            rest.size() > 2 ? rest.get(2) : null));
  }

  /** The collection this object is in. */
  ResourcePath collection() {
    return new ResourcePath(group, version, namespace, plural, null, null);
  }

  /** The object itself, without a subresource. */
  ResourcePath main() {
    return new ResourcePath(group, version, namespace, plural, name, null);
  }

  boolean isCollection() {
    return name == null;
  }

  boolean isStatus() {
    return "status".equals(subresource);
  }

  /**
   * How the real server names the resource in messages: {@code eravms.era.dev}, {@code configmaps}.
   */
  String groupResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The URL path of this resource, for building requests to the store. */
  String toPath() {
    StringBuilder path =
        new StringBuilder(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version);
    if (namespace != null) {
      path.append("/namespaces/").append(namespace);
    }
    path.append('/').append(plural);
    if (name != null) {
      path.append('/').append(name);
    }
    if (subresource != null) {
      path.append('/').append(subresource);
    }
    return path.toString();
  }
}
