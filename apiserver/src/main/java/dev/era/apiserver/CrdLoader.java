package dev.era.apiserver;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads CustomResourceDefinitions from YAML: a stream, a file or a directory. ERA's own CRDs come
 * from {@link dev.era.api.Crds}.
 */
public final class CrdLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private CrdLoader() {}

  /**
   * Every document of a (multi-document) YAML stream; empty documents are skipped, anything but an
   * {@code apiextensions.k8s.io/v1} CRD is an {@link IllegalArgumentException} naming {@code source}.
   */
  public static List<CustomResourceDefinition> fromYaml(InputStream yaml, String source) throws IOException {
    List<CustomResourceDefinition> crds = new ArrayList<>();
    try (JsonParser parser = YAML.getFactory().createParser(yaml);
        MappingIterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class)) {
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        if (document == null || document.isNull() || document.isEmpty()) {
          continue;
        }
        if (!"apiextensions.k8s.io/v1".equals(document.path("apiVersion").asText())
            || !"CustomResourceDefinition".equals(document.path("kind").asText())) {
          throw new IllegalArgumentException(source + ": expected apiextensions.k8s.io/v1 CustomResourceDefinition, found "
              + document.path("apiVersion").asText("no apiVersion") + " " + document.path("kind").asText("no kind"));
        }
        crds.add(Json.convert(document, CustomResourceDefinition.class));
      }
    }
    return crds;
  }

  /** A YAML file, or every {@code *.yaml} and {@code *.yml} file in a directory, in name order. */
  public static List<CustomResourceDefinition> fromPath(Path fileOrDirectory) throws IOException {
    List<Path> files;
    if (Files.isDirectory(fileOrDirectory)) {
      try (Stream<Path> listing = Files.list(fileOrDirectory)) {
        files = listing.filter(CrdLoader::isYaml).sorted().toList();
      }
    } else {
      files = List.of(fileOrDirectory);
    }
    List<CustomResourceDefinition> crds = new ArrayList<>();
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        crds.addAll(fromYaml(in, file.toString()));
      }
    }
    return crds;
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString();
    return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }
}
