package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The resource types the server serves: a fixed set of built-in ones that the ERA components and
 * kubectl use, plus one entry per served version of every stored CRD. Replaced as a whole whenever
 * a CRD changes, so readers never see a half-updated catalog.
 */
final class ResourceCatalog {
  static final String CRD_GROUP = "apiextensions.k8s.io";

  private static final List<ServedResource> BUILTIN =
      List.of(
          ServedResource.builtin(
              "", "v1", "Namespace", "namespaces", false, List.of("ns"), List.of(), true),
          ServedResource.builtin(
              "", "v1", "ConfigMap", "configmaps", true, List.of("cm"), List.of(), false),
          ServedResource.builtin("", "v1", "Secret", "secrets", true, List.of(), List.of(), false),
          // Stored and served only: nothing here schedules or runs them (the operator's
          // reservation pods, in container tests).
          ServedResource.builtin("", "v1", "Pod", "pods", true, List.of("po"), List.of(), true),
          ServedResource.builtin(
              "", "v1", "Event", "events", true, List.of("ev"), List.of(), false),
          ServedResource.builtin(
              "", "v1", "ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of(), false),
          ServedResource.builtin(
              CRD_GROUP,
              "v1",
              "CustomResourceDefinition",
              "customresourcedefinitions",
              false,
              List.of("crd", "crds"),
              List.of("api-extensions"),
              true),
          ServedResource.builtin(
              "coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of(), false),
          ServedResource.builtin(
              "events.k8s.io", "v1", "Event", "events", true, List.of("ev"), List.of(), false));

  private volatile List<ServedResource> custom = List.of();

  /**
   * Replaces the custom resources with the served versions of the given CRDs, as stored. Schemas
   * are taken from the stored JSON as written, not through the model classes, so that validation
   * sees exactly what the CRD says.
   */
  void useCustomResourceDefinitions(List<JsonNode> storedCrds) {
    List<ServedResource> resources = new ArrayList<>();
    for (JsonNode stored : storedCrds) {
      CustomResourceDefinition crd = Json.convert(stored, CustomResourceDefinition.class);
      List<CustomResourceDefinitionVersion> versions = crd.getSpec().getVersions();
      for (int i = 0; i < versions.size(); i++) {
        CustomResourceDefinitionVersion version = versions.get(i);
        if (!Boolean.FALSE.equals(version.getServed())) {
          JsonNode schema =
              stored.path("spec").path("versions").path(i).path("schema").path("openAPIV3Schema");
          resources.add(toServed(crd, version, schema));
        }
      }
    }
    // The storage version is the preferred one in discovery.
    resources.sort(Comparator.comparing(r -> !isStorageVersion(storedCrds, r)));
    custom = List.copyOf(resources);
  }

  List<ServedResource> all() {
    return Stream.concat(BUILTIN.stream(), custom.stream()).toList();
  }

  Optional<ServedResource> find(String group, String version, String plural) {
    return all().stream()
        .filter(
            r ->
                r.group().equals(group) && r.version().equals(version) && r.plural().equals(plural))
        .findFirst();
  }

  Optional<ServedResource> find(ResourcePath path) {
    return find(path.group(), path.version(), path.plural());
  }

  /** The custom resource of that apiVersion and kind, for finding the URL of a stored object. */
  Optional<ServedResource> findKind(String apiVersion, String kind) {
    return all().stream()
        .filter(r -> r.groupVersion().equals(apiVersion) && r.kind().equals(kind))
        .findFirst();
  }

  /** Named groups (not the core group) in discovery order: built-in first, then custom. */
  List<String> groups() {
    LinkedHashSet<String> groups = new LinkedHashSet<>();
    all().stream().map(ServedResource::group).filter(g -> !g.isEmpty()).forEach(groups::add);
    return List.copyOf(groups);
  }

  /** The versions of a group, preferred (storage) version first. */
  List<String> versions(String group) {
    LinkedHashSet<String> versions = new LinkedHashSet<>();
    all().stream()
        .filter(r -> r.group().equals(group))
        .map(ServedResource::version)
        .forEach(versions::add);
    return List.copyOf(versions);
  }

  List<ServedResource> resources(String group, String version) {
    return all().stream()
        .filter(r -> r.group().equals(group) && r.version().equals(version))
        .toList();
  }

  private static boolean isStorageVersion(List<JsonNode> storedCrds, ServedResource resource) {
    return storedCrds.stream()
        .filter(
            crd ->
                crd.path("spec").path("group").asText().equals(resource.group())
                    && crd.path("spec")
                        .path("names")
                        .path("plural")
                        .asText()
                        .equals(resource.plural()))
        .flatMap(
            crd -> StreamSupport.stream(crd.path("spec").path("versions").spliterator(), false))
        .anyMatch(
            v ->
                v.path("name").asText().equals(resource.version())
                    && v.path("storage").asBoolean());
  }

  private static ServedResource toServed(
      CustomResourceDefinition crd, CustomResourceDefinitionVersion version, JsonNode schema) {
    var names = crd.getSpec().getNames();
    String singular =
        Objects.requireNonNullElse(names.getSingular(), names.getKind().toLowerCase(Locale.ROOT));
    List<PrinterColumn> columns =
        version.getAdditionalPrinterColumns() == null
            ? List.of()
            : version.getAdditionalPrinterColumns().stream().map(PrinterColumn::of).toList();
    boolean status =
        version.getSubresources() != null && version.getSubresources().getStatus() != null;
    return new ServedResource(
        crd.getSpec().getGroup(),
        version.getName(),
        names.getKind(),
        names.getPlural(),
        singular,
        "Namespaced".equals(crd.getSpec().getScope()),
        listOrEmpty(names.getShortNames()),
        listOrEmpty(names.getCategories()),
        status,
        columns,
        schema.isObject()
            ? schema
            : Json.MAPPER.createObjectNode().put("x-kubernetes-preserve-unknown-fields", true));
  }

  private static List<String> listOrEmpty(List<String> list) {
    return list == null ? List.of() : List.copyOf(list);
  }
}
