package dev.era.apiserver;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The legacy (unaggregated) discovery documents, derived from the catalog. Clients that ask for
 * aggregated discovery first get these as plain {@code application/json} and fall back, as they do
 * with any server that lacks it.
 */
final class Discovery {
  private final ResourceCatalog catalog;

  Discovery(ResourceCatalog catalog) {
    this.catalog = catalog;
  }

  /** {@code /api}. */
  APIVersions coreVersions(String serverAddress) {
    return new APIVersionsBuilder()
        .withKind("APIVersions")
        .withVersions("v1")
        .addNewServerAddressByClientCIDR("0.0.0.0/0", serverAddress)
        .build();
  }

  /** {@code /apis}. */
  APIGroupList groups() {
    return new APIGroupListBuilder()
        .withApiVersion("v1")
        .withKind("APIGroupList")
        .withGroups(catalog.groups().stream().map(this::groupOf).toList())
        .build();
  }

  /** {@code /apis/<group>}. */
  Optional<APIGroup> group(String name) {
    if (!catalog.groups().contains(name)) {
      return Optional.empty();
    }
    return Optional.of(
        new APIGroupBuilder(groupOf(name)).withApiVersion("v1").withKind("APIGroup").build());
  }

  /** {@code /api/v1} and {@code /apis/<group>/<version>}. */
  Optional<APIResourceList> resources(String group, String version) {
    List<ServedResource> served = catalog.resources(group, version);
    if (served.isEmpty()) {
      return Optional.empty();
    }
    List<APIResource> resources = new ArrayList<>();
    for (ServedResource r : served) {
      resources.add(
          new APIResourceBuilder()
              .withName(r.plural())
              .withSingularName(r.singular())
              .withNamespaced(r.namespaced())
              .withKind(r.kind())
              .withVerbs(ServedResource.VERBS)
              .withShortNames(r.shortNames())
              .withCategories(r.categories())
              .build());
      if (r.statusSubresource()) {
        resources.add(
            new APIResourceBuilder()
                .withName(r.plural() + "/status")
                .withSingularName("")
                .withNamespaced(r.namespaced())
                .withKind(r.kind())
                .withVerbs(ServedResource.STATUS_VERBS)
                .build());
      }
    }
    return Optional.of(
        new APIResourceListBuilder()
            .withApiVersion("v1")
            .withKind("APIResourceList")
            .withGroupVersion(served.get(0).groupVersion())
            .withResources(resources)
            .build());
  }

  private APIGroup groupOf(String name) {
    List<GroupVersionForDiscovery> versions =
        catalog.versions(name).stream()
            .map(v -> new GroupVersionForDiscovery(name + "/" + v, v))
            .toList();
    return new APIGroupBuilder()
        .withName(name)
        .withVersions(versions)
        .withPreferredVersion(versions.get(0))
        .build();
  }
}
