package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * What the server does with a CRD it stores: checks that it can serve it, and marks it established.
 */
final class CustomResourceDefinitions {
  private CustomResourceDefinitions() {}

  static boolean isCrdPath(ResourcePath path) {
    return path.group().equals(ResourceCatalog.CRD_GROUP)
        && path.plural().equals("customresourcedefinitions");
  }

  /**
   * Refuses a CRD this server cannot serve (missing names, unreadable schema or printer column), so
   * that the mistake shows when the CRD is applied rather than on every later request.
   */
  static void checkServable(ObjectNode crd) {
    String name = crd.path("metadata").path("name").asText();
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText("");
    String plural = spec.path("names").path("plural").asText("");
    List<String> problems = new ArrayList<>();
    if (group.isEmpty()
        || plural.isEmpty()
        || spec.path("names").path("kind").asText("").isEmpty()) {
      problems.add("spec.group, spec.names.plural and spec.names.kind are required");
    } else if (!name.equals(plural + "." + group)) {
      problems.add(
          "metadata.name must be spec.names.plural + \".\" + spec.group: " + plural + "." + group);
    }
    if (!List.of("Namespaced", "Cluster").contains(spec.path("scope").asText())) {
      problems.add("spec.scope must be Namespaced or Cluster");
    }
    if (!spec.path("versions").isArray() || spec.path("versions").isEmpty()) {
      problems.add("spec.versions must list at least one version");
    }
    if (problems.isEmpty()) {
      try {
        ResourceCatalog trial = new ResourceCatalog();
        trial.useCustomResourceDefinitions(List.of(crd));
        for (ServedResource resource :
            trial.all().stream().filter(ServedResource::isCustom).toList()) {
          new SchemaAdmission(resource.schema());
          new TableConverter(resource.printerColumns(), Clock.systemUTC());
        }
      } catch (RuntimeException e) {
        problems.add(e.toString());
      }
    }
    if (!problems.isEmpty()) {
      throw ApiException.unprocessable(
          "CustomResourceDefinition.apiextensions.k8s.io \""
              + name
              + "\" is invalid: "
              + String.join("; ", problems));
    }
  }

  /** Sets the status a real server reports once a CRD's names are accepted and it is served. */
  static void establish(ObjectNode crd, Clock clock) {
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    ObjectNode status = crd.putObject("status");
    status.set("acceptedNames", crd.path("spec").path("names").deepCopy());
    ArrayNode conditions = status.putArray("conditions");
    conditions
        .addObject()
        .put("type", "NamesAccepted")
        .put("status", "True")
        .put("reason", "NoConflicts")
        .put("message", "no conflicts found")
        .put("lastTransitionTime", now);
    conditions
        .addObject()
        .put("type", "Established")
        .put("status", "True")
        .put("reason", "InitialNamesAccepted")
        .put("message", "the initial names have been accepted")
        .put("lastTransitionTime", now);
    ArrayNode stored = status.putArray("storedVersions");
    for (JsonNode version : crd.path("spec").path("versions")) {
      if (version.path("storage").asBoolean()) {
        stored.add(version.path("name").asText());
      }
    }
  }
}
