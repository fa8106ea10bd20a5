package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudPersistence;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** What the server fills in when an object is created, and keeps when it is updated. */
final class NewObject {
  private NewObject() {}

  /**
   * Names the new object (from generateName if need be) and checks its namespace against the URL.
   */
  static ResourcePath place(ResourcePath collection, ObjectNode object) {
    if (!object.path("metadata").isObject()) {
      object.putObject("metadata");
    }
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    String name = metadata.path("name").asText("");
    if (name.isEmpty()) {
      String prefix = metadata.path("generateName").asText("");
      if (prefix.isEmpty()) {
        throw ApiException.unprocessable(
            object.path("kind").asText("object")
                + " is invalid: metadata.name: Required value: name or generateName is required");
      }
      name = prefix + randomSuffix();
      metadata.put("name", name);
    }
    String namespace = metadata.path("namespace").asText("");
    if (collection.namespace() != null) {
      ApiException.requireMatch(
          namespace,
          collection.namespace(),
          "the namespace of the provided object",
          "the namespace sent on the request");
      metadata.put("namespace", collection.namespace());
    } else {
      metadata.remove("namespace");
    }
    return new ResourcePath(
        collection.group(),
        collection.version(),
        collection.namespace(),
        collection.plural(),
        name,
        null);
  }

  /** Five characters from the alphabet the API server uses for generateName suffixes. */
  private static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder suffix = new StringBuilder();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 5; i++) {
      suffix.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return suffix.toString();
  }

  /**
   * Sets uid, creation time, resourceVersion and generation. Uids are random: the store's own are a
   * per-process counter, which would repeat those of objects restored from a saved state.
   *
   * @param resourceVersion null for a dry run, which is given none, as on a real server
   */
  static void initMetadata(ObjectNode object, Clock clock, Long resourceVersion) {
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    metadata.remove(List.of("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"));
    metadata.put("uid", UUID.randomUUID().toString());
    metadata.put(
        "creationTimestamp", Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
    if (resourceVersion != null) {
      metadata.put("resourceVersion", String.valueOf(resourceVersion));
    }
    metadata.put("generation", 1);
  }

  /**
   * Carries the fields only the server sets over from the stored object to its update, and counts
   * the generation up when anything but metadata and status changed.
   */
  static void keepServerFields(JsonNode current, ObjectNode update, boolean statusWrite) {
    JsonNode was = current.path("metadata");
    ObjectNode metadata = update.withObjectProperty("metadata");
    for (String field :
        List.of(
            "namespace",
            "uid",
            "creationTimestamp",
            "resourceVersion",
            "generation",
            "deletionTimestamp",
            "deletionGracePeriodSeconds")) {
      if (was.hasNonNull(field)) {
        metadata.set(field, was.get(field).deepCopy());
      } else {
        metadata.remove(field);
      }
    }
    if (!statusWrite && KubernetesCrudPersistence.shouldIncreaseGeneration(current, update)) {
      metadata.put("generation", was.path("generation").asLong(0) + 1);
    }
  }
}
