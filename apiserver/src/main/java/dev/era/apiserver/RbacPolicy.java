package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The RBAC objects the embedded API server enforces, fixed when it starts: what it needs of
 * kube-apiserver's bootstrap policy ({@value #BUILT_IN}) and the Roles, ClusterRoles and bindings
 * of the Helm chart in helm/era, as Helm renders them for release {@code era} in namespace {@value
 * Component#NAMESPACE} ({@value #CHART}). The chart is their only source: ChartRbacTest renders it
 * and fails when that copy differs.
 */
final class RbacPolicy {
  static final String BUILT_IN = "era-rbac/built-in.yaml";
  static final String CHART = "era-rbac/helm-chart.yaml";
  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "ClusterRole",
          ClusterRole.class,
          "ClusterRoleBinding",
          ClusterRoleBinding.class,
          "Role",
          Role.class,
          "RoleBinding",
          RoleBinding.class);
  private static final YAMLMapper YAML = new YAMLMapper();

  private RbacPolicy() {}

  static List<HasMetadata> load() {
    List<HasMetadata> objects = new ArrayList<>(read(BUILT_IN));
    objects.addAll(read(CHART));
    return objects;
  }

  /** The RBAC objects in one multi-document YAML resource on the classpath. */
  static List<HasMetadata> read(String resource) {
    List<HasMetadata> objects = new ArrayList<>();
    try (InputStream in = RbacPolicy.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is not on the classpath: the era-apiserver jar carries it");
      }
      try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(in)) {
        while (documents.hasNext()) {
          JsonNode document = documents.next();
          if (document != null && document.isObject()) { // Helm leaves documents of comments only
            Class<? extends HasMetadata> type = KINDS.get(document.path("kind").asText());
            if (type == null) {
              throw new IllegalStateException(
                  resource + " holds a " + document.path("kind").asText() + ", not an RBAC object");
            }
            objects.add(Json.convert(document, type));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
    return objects;
  }
}
