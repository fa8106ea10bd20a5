package dev.era.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The CRDs of ERA's kinds, as committed in crds/ and carried in this jar under {@code era-crds/}.
 */
public final class Crds {
  private static final List<Class<? extends HasMetadata>> KINDS =
      List.of(EraNode.class, EraPool.class, EraRun.class, EraVM.class);

  private Crds() {}

  public static List<CustomResourceDefinition> load() {
    return KINDS.stream().map(Crds::load).toList();
  }

  private static CustomResourceDefinition load(Class<? extends HasMetadata> kind) {
    String name = "era-crds/" + HasMetadata.getFullResourceName(kind) + "-v1.yml";
    try (InputStream in = Crds.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            name + " is not on the classpath: the era-api jar carries it");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
