package dev.era.cli.cluster;

import com.fasterxml.jackson.databind.JavaType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * One kind of resource in one namespace (or cluster-wide), at {@code
 * /apis/<group>/<version>[/namespaces/<ns>]/<plural>}: the reads and writes the CLI makes.
 */
public final class ApiResources<T extends HasMetadata> {
  /** The body of a list: only its items matter here. */
  private record Items<T>(List<T> items) {}

  private final KubeApi api;
  private final String path;
  private final JavaType type;
  private final JavaType listType;

  ApiResources(KubeApi api, Class<T> type, String namespace) {
    this.api = api;
    this.type = KubeApi.JSON.constructType(type);
    this.listType = KubeApi.JSON.getTypeFactory().constructParametricType(Items.class, type);
    String apiVersion = HasMetadata.getApiVersion(type);
    this.path =
        "/apis/"
            + apiVersion
            + (namespace == null ? "" : "/namespaces/" + encode(namespace))
            + "/"
            + HasMetadata.getPlural(type);
  }

  public Optional<T> find(String name) {
    return api.get(named(name), type);
  }

  public List<T> list() {
    Items<T> items =
        api.<Items<T>>get(path, listType)
            .orElseThrow(() -> new KubernetesClientException("the API server has no " + path));
    return items.items() == null ? List.of() : items.items();
  }

  public T create(T resource) {
    return api.post(path, resource, type);
  }

  /** Applies a JSON merge patch (RFC 7386). */
  public T mergePatch(String name, String patch) {
    return api.mergePatch(named(name), patch, type);
  }

  /** Deletes the resource; one that is already gone is no error. */
  public void delete(String name) {
    api.delete(named(name));
  }

  /** Calls {@code onChange} whenever the named resource changes, until closed. */
  AutoCloseable watch(String name, Runnable onChange) {
    return api.watch(path + "?fieldSelector=" + encode("metadata.name=" + name), onChange);
  }

  private String named(String name) {
    return path + "/" + encode(name);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }
}
