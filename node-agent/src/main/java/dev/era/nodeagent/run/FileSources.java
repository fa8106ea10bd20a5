package dev.era.nodeagent.run;

import dev.era.api.KeyRef;
import dev.era.api.RunFile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The content of a run's file: inline text, inline base64, or a key of a ConfigMap or Secret in the
 * run's namespace (read through the API when the run starts). The node agent may read those only in
 * the namespaces the chart's {@value #NAMESPACES_VALUE} lists.
 */
final class FileSources {
  static final String NAMESPACES_VALUE = "nodeAgent.fileSourceNamespaces";

  private final KubernetesClient client;

  FileSources(KubernetesClient client) {
    this.client = client;
  }

  byte[] content(String namespace, RunFile file) throws StagingException {
    if (file.getContent() != null) {
      return file.getContent().getBytes(StandardCharsets.UTF_8);
    }
    if (file.getContentBase64() != null) {
      return decode(file.getContentBase64(), "contentBase64 of " + file.getPath());
    }
    if (file.getConfigMapRef() != null) {
      return fromConfigMap(namespace, file.getConfigMapRef(), file.getPath());
    }
    if (file.getSecretRef() != null) {
      return fromSecret(namespace, file.getSecretRef(), file.getPath());
    }
    throw new StagingException(
        "file "
            + file.getPath()
            + " has no content: set content, contentBase64, configMapRef or secretRef");
  }

  private byte[] fromConfigMap(String namespace, KeyRef ref, String path) throws StagingException {
    ConfigMap map =
        read("ConfigMap", namespace, ref, path, client.configMaps().inNamespace(namespace));
    if (map == null) {
      throw new StagingException(
          "file " + path + ": ConfigMap " + namespace + "/" + ref.getName() + " does not exist");
    }
    String text = valueOf(map.getData(), ref.getKey());
    if (text != null) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    String binary = valueOf(map.getBinaryData(), ref.getKey());
    if (binary != null) {
      return decode(binary, "binaryData " + ref.getKey() + " of ConfigMap " + ref.getName());
    }
    throw new StagingException(
        "file "
            + path
            + ": ConfigMap "
            + namespace
            + "/"
            + ref.getName()
            + " has no key "
            + ref.getKey());
  }

  private byte[] fromSecret(String namespace, KeyRef ref, String path) throws StagingException {
    Secret secret = read("Secret", namespace, ref, path, client.secrets().inNamespace(namespace));
    if (secret == null) {
      throw new StagingException(
          "file " + path + ": Secret " + namespace + "/" + ref.getName() + " does not exist");
    }
    String encoded = valueOf(secret.getData(), ref.getKey());
    if (encoded != null) {
      return decode(encoded, "key " + ref.getKey() + " of Secret " + ref.getName());
    }
    // A real API server folds stringData into data; an embedded one may keep it as written.
    String text = valueOf(secret.getStringData(), ref.getKey());
    if (text != null) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    throw new StagingException(
        "file "
            + path
            + ": Secret "
            + namespace
            + "/"
            + ref.getName()
            + " has no key "
            + ref.getKey());
  }

  /** The object, null when it does not exist; a refusal says how to opt the namespace in. */
  private static <T> T read(
      String kind,
      String namespace,
      KeyRef ref,
      String path,
      NonNamespaceOperation<T, ?, ? extends Resource<T>> objects)
      throws StagingException {
    try {
      return objects.withName(ref.getName()).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
        throw e;
      }
      throw new StagingException(
          "file "
              + path
              + ": the node agent may not read "
              + kind
              + " "
              + namespace
              + "/"
              + ref.getName()
              + ": runs stage files from ConfigMaps and Secrets only in the namespaces of the"
              + " chart value "
              + NAMESPACES_VALUE
              + "; add '"
              + namespace
              + "' to it");
    }
  }

  private static String valueOf(Map<String, String> data, String key) {
    return data == null ? null : data.get(key);
  }

  private static byte[] decode(String base64, String what) throws StagingException {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new StagingException(what + " is not valid base64: " + e.getMessage());
    }
  }
}
