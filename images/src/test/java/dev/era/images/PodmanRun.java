package dev.era.images;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

/**
 * The {@code podman run} arguments that run a rendered pod's one container as a kubelet would on a
 * node, with host networking: the pod's hostPID, the pod's and the container's securityContext, its
 * memory limit, its env (downward-API fields from {@link Node}), its hostPath and emptyDir volumes,
 * and the service account token mounted where in-cluster clients look for it, with {@code
 * KUBERNETES_SERVICE_*} pointing at the API server. Whatever of the spec it cannot honour it
 * refuses, rather than run something other than what the manifest declares.
 */
final class PodmanRun {
  static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

  /**
   * The node the pod lands on.
   *
   * @param serviceAccount a directory with the pod's service account {@code token}, {@code ca.crt}
   *     and {@code namespace}
   * @param scratch where emptyDir volumes are made
   * @param httpPort the port that a containerPort named in a probe is served on; host networking
   *     shares one port space, so a test may move a port (and tell the app through its env)
   */
  record Node(
      String name,
      String podIp,
      String apiHost,
      int apiPort,
      Path serviceAccount,
      Path scratch,
      IntUnaryOperator httpPort) {}

  private PodmanRun() {}

  static List<String> arguments(String name, PodSpec pod, Node node) {
    Container container = container(pod);
    List<String> args = new ArrayList<>(List.of("run", "--detach", "--name", name));
    args.add("--network=host");
    if (Boolean.TRUE.equals(pod.getHostPID())) {
      args.add("--pid=host");
    }
    security(pod.getSecurityContext(), container.getSecurityContext(), args);
    memoryLimit(container).ifPresent(bytes -> args.add("--memory=" + bytes));
    args.add("--env=KUBERNETES_SERVICE_HOST=" + node.apiHost());
    args.add("--env=KUBERNETES_SERVICE_PORT=" + node.apiPort());
    for (EnvVar env : container.getEnv()) {
      args.add("--env=" + env.getName() + "=" + value(env, node));
    }
    if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
      args.add("--volume=" + node.serviceAccount() + ":" + SERVICE_ACCOUNT_DIR + ":ro");
    }
    for (VolumeMount mount : container.getVolumeMounts()) {
      args.add(volume(pod, mount, node));
    }
    args.add(container.getImage());
    if (container.getCommand() != null && !container.getCommand().isEmpty()) {
      throw new IllegalArgumentException("container command overrides are not supported");
    }
    args.addAll(container.getArgs());
    return args;
  }

  /** Where the container's readiness probe (an HTTP GET) is answered on the node. */
  static URI readinessUrl(PodSpec pod, Node node) {
    Container container = container(pod);
    HTTPGetAction get =
        Objects.requireNonNull(
                container.getReadinessProbe(), "the container declares no readiness probe")
            .getHttpGet();
    int port =
        get.getPort().getIntVal() != null
            ? get.getPort().getIntVal()
            : container.getPorts().stream()
                .filter(p -> get.getPort().getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no port named " + get.getPort()));
    return URI.create(
        "http://" + node.podIp() + ":" + node.httpPort().applyAsInt(port) + get.getPath());
  }

  private static Container container(PodSpec pod) {
    if (pod.getContainers().size() != 1 || !pod.getInitContainers().isEmpty()) {
      throw new IllegalArgumentException("only pods of one container are supported");
    }
    return pod.getContainers().get(0);
  }

  private static void security(
      PodSecurityContext pod, SecurityContext container, List<String> args) {
    pod = pod == null ? new PodSecurityContext() : pod;
    container = container == null ? new SecurityContext() : container;
    Long user = first(container.getRunAsUser(), pod.getRunAsUser());
    Long group = first(container.getRunAsGroup(), pod.getRunAsGroup());
    if (Boolean.TRUE.equals(first(container.getRunAsNonRoot(), pod.getRunAsNonRoot()))
        && (user == null || user == 0)) {
      throw new IllegalArgumentException("runAsNonRoot without a non-zero runAsUser");
    }
    if (user != null) {
      args.add("--user=" + user + (group != null ? ":" + group : ""));
    }
    if (Boolean.TRUE.equals(container.getPrivileged())) {
      args.add("--privileged");
    }
    if (Boolean.TRUE.equals(container.getReadOnlyRootFilesystem())) {
      args.add("--read-only");
    }
    if (Boolean.FALSE.equals(container.getAllowPrivilegeEscalation())) {
      args.add("--security-opt=no-new-privileges");
    }
    Capabilities caps = container.getCapabilities();
    if (caps != null) {
      caps.getDrop().forEach(c -> args.add("--cap-drop=" + c));
      caps.getAdd().forEach(c -> args.add("--cap-add=" + c));
    }
  }

  private static Optional<Long> memoryLimit(Container container) {
    if (container.getResources() == null || container.getResources().getLimits() == null) {
      return Optional.empty();
    }
    Quantity memory = container.getResources().getLimits().get("memory");
    return Optional.ofNullable(memory).map(q -> Quantity.getAmountInBytes(q).longValueExact());
  }

  private static String value(EnvVar env, Node node) {
    if (env.getValueFrom() == null) {
      return Objects.toString(env.getValue(), "");
    }
    String field =
        Objects.requireNonNull(
                env.getValueFrom().getFieldRef(), env.getName() + ": only fieldRef is supported")
            .getFieldPath();
    return switch (field) {
      case "spec.nodeName" -> node.name();
      case "status.podIP" -> node.podIp();
      default -> throw new IllegalArgumentException(env.getName() + ": unsupported field " + field);
    };
  }

  private static String volume(PodSpec pod, VolumeMount mount, Node node) {
    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no volume " + mount.getName()));
    String suffix = Boolean.TRUE.equals(mount.getReadOnly()) ? ":ro" : "";
    if (volume.getHostPath() != null) {
      String path = volume.getHostPath().getPath();
      String type = Objects.toString(volume.getHostPath().getType(), "");
      return switch (type) {
        case "CharDevice" -> "--device=" + path + ":" + mount.getMountPath();
        case "Directory" -> "--volume=" + path + ":" + mount.getMountPath() + suffix;
        case "DirectoryOrCreate" -> {
          createDirectories(Path.of(path));
          yield "--volume=" + path + ":" + mount.getMountPath() + suffix;
        }
        default -> throw new IllegalArgumentException("unsupported hostPath type " + type);
      };
    }
    if (volume.getEmptyDir() != null) {
      Path dir = node.scratch().resolve(volume.getName());
      createDirectories(dir);
      try {
        // An emptyDir is world-writable, whatever user the container runs as.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return "--volume=" + dir + ":" + mount.getMountPath() + suffix;
    }
    if (volume.getProjected() != null) {
      return "--volume=" + projected(volume, node) + ":" + mount.getMountPath() + suffix;
    }
    throw new IllegalArgumentException("unsupported volume " + volume.getName());
  }

  /**
   * A projected volume of the pod's own API access, as kubelet writes it: the service account's
   * token, the cluster CA and the namespace, from the node's service account directory, each file
   * with the volume's defaultMode.
   */
  private static Path projected(Volume volume, Node node) {
    Path dir = node.scratch().resolve(volume.getName());
    createDirectories(dir);
    Integer mode = volume.getProjected().getDefaultMode();
    for (VolumeProjection source : volume.getProjected().getSources()) {
      String file;
      if (source.getServiceAccountToken() != null) {
        file = source.getServiceAccountToken().getPath();
        copy(node.serviceAccount().resolve("token"), dir.resolve(file), mode);
      } else if (source.getConfigMap() != null
          && "kube-root-ca.crt".equals(source.getConfigMap().getName())) {
        for (KeyToPath item : source.getConfigMap().getItems()) {
          copy(node.serviceAccount().resolve(item.getKey()), dir.resolve(item.getPath()), mode);
        }
      } else if (source.getDownwardAPI() != null) {
        for (DownwardAPIVolumeFile item : source.getDownwardAPI().getItems()) {
          if (!"metadata.namespace".equals(item.getFieldRef().getFieldPath())) {
            throw new IllegalArgumentException("unsupported downward API field " + item);
          }
          copy(node.serviceAccount().resolve("namespace"), dir.resolve(item.getPath()), mode);
        }
      } else {
        throw new IllegalArgumentException("unsupported projection in " + volume.getName());
      }
    }
    return dir;
  }

  private static void copy(Path from, Path to, Integer mode) {
    try {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      if (mode != null) {
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(permissions(mode)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 0400} as {@code r--------}. */
  private static String permissions(int mode) {
    StringBuilder text = new StringBuilder();
    for (int bit = 8; bit >= 0; bit--) {
      text.append((mode & (1 << bit)) == 0 ? '-' : "rwx".charAt((8 - bit) % 3));
    }
    return text.toString();
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T first(T preferred, T fallback) {
    return preferred != null ? preferred : fallback;
  }
}
