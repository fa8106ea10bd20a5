package dev.era.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a pod spec becomes {@code podman run} arguments; the chart's own pods are in the IT. */
class PodmanRunTest {
  @TempDir Path dir;

  private PodmanRun.Node node() {
    return new PodmanRun.Node(
        "n1",
        "127.0.0.1",
        "127.0.0.1",
        6443,
        dir.resolve("sa"),
        dir.resolve("scratch"),
        p -> p + 1);
  }

  @Test
  void appliesTheSecurityContextLimitsEnvAndVolumes() {
    PodSpec pod =
        new PodSpecBuilder()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(65532L)
            .withRunAsGroup(65533L)
            .endSecurityContext()
            .addNewContainer()
            .withImage("registry.example/app:1")
            .withNewSecurityContext()
            .withReadOnlyRootFilesystem(true)
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .addToDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .withNewResources()
            .addToLimits("memory", new Quantity("512Mi"))
            .endResources()
            .addNewEnv()
            .withName("NODE")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("spec.nodeName")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("PLAIN")
            .withValue("v")
            .endEnv()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("state")
            .withMountPath("/var/lib/app")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .addNewVolume()
            .withName("state")
            .withNewHostPath()
            .withPath(dir.resolve("host-state").toString())
            .withType("DirectoryOrCreate")
            .endHostPath()
            .endVolume()
            .build();

    assertThat(PodmanRun.arguments("c1", pod, node()))
        .containsSubsequence("run", "--detach", "--name", "c1")
        .contains(
            "--network=host",
            "--user=65532:65533",
            "--read-only",
            "--security-opt=no-new-privileges",
            "--cap-drop=ALL",
            "--memory=536870912",
            "--env=KUBERNETES_SERVICE_HOST=127.0.0.1",
            "--env=KUBERNETES_SERVICE_PORT=6443",
            "--env=NODE=n1",
            "--env=PLAIN=v",
            "--volume=" + dir.resolve("sa") + ":" + PodmanRun.SERVICE_ACCOUNT_DIR + ":ro",
            "--volume=" + dir.resolve("scratch/tmp") + ":/tmp",
            "--volume=" + dir.resolve("host-state") + ":/var/lib/app")
        .doesNotContain("--privileged", "--pid=host")
        .endsWith("registry.example/app:1");
    assertThat(dir.resolve("host-state")).isDirectory();
  }

  @Test
  void sharesTheHostsProcessNamespaceWhereThePodAsksForIt() {
    PodSpec pod =
        new PodSpecBuilder()
            .withHostPID(true)
            .addNewContainer()
            .withImage("registry.example/agent:1")
            .endContainer()
            .build();

    assertThat(PodmanRun.arguments("c1", pod, node())).contains("--pid=host");
  }

  @Test
  void projectsTheApiAccessVolumeWithItsModeInsteadOfTheAutomountedToken() throws Exception {
    Files.createDirectories(dir.resolve("sa"));
    Files.writeString(dir.resolve("sa/token"), "t0ken");
    Files.writeString(dir.resolve("sa/ca.crt"), "CA");
    Files.writeString(dir.resolve("sa/namespace"), "era-system");
    PodSpec pod =
        new PodSpecBuilder()
            .withAutomountServiceAccountToken(false)
            .addNewContainer()
            .withImage("registry.example/agent:1")
            .addNewVolumeMount()
            .withName("api-access")
            .withMountPath(PodmanRun.SERVICE_ACCOUNT_DIR)
            .withReadOnly(true)
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("api-access")
            .withNewProjected()
            .withDefaultMode(0400)
            .addNewSource()
            .withNewServiceAccountToken()
            .withPath("token")
            .endServiceAccountToken()
            .endSource()
            .addNewSource()
            .withNewConfigMap()
            .withName("kube-root-ca.crt")
            .addNewItem("ca.crt", null, "ca.crt")
            .endConfigMap()
            .endSource()
            .addNewSource()
            .withNewDownwardAPI()
            .addNewItem()
            .withPath("namespace")
            .withNewFieldRef()
            .withFieldPath("metadata.namespace")
            .endFieldRef()
            .endItem()
            .endDownwardAPI()
            .endSource()
            .endProjected()
            .endVolume()
            .build();

    Path projected = dir.resolve("scratch/api-access");
    assertThat(PodmanRun.arguments("c1", pod, node()))
        .contains("--volume=" + projected + ":" + PodmanRun.SERVICE_ACCOUNT_DIR + ":ro")
        .doesNotContain(
            "--volume=" + dir.resolve("sa") + ":" + PodmanRun.SERVICE_ACCOUNT_DIR + ":ro");
    assertThat(projected.resolve("token")).hasContent("t0ken");
    assertThat(projected.resolve("ca.crt")).hasContent("CA");
    assertThat(projected.resolve("namespace")).hasContent("era-system");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(projected.resolve("token"))))
        .isEqualTo("r--------");
  }

  @Test
  void refusesRunAsNonRootWithoutAUser() {
    PodSpec pod =
        new PodSpecBuilder()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .endSecurityContext()
            .addNewContainer()
            .withImage("i")
            .endContainer()
            .build();

    assertThatThrownBy(() -> PodmanRun.arguments("c1", pod, node()))
        .hasMessageContaining("runAsNonRoot");
  }

  @Test
  void findsTheReadinessProbeThroughItsNamedPort() {
    PodSpec pod =
        new PodSpecBuilder()
            .addNewContainer()
            .withImage("i")
            .addNewPort()
            .withName("http")
            .withContainerPort(8080)
            .endPort()
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath("/q/health/ready")
            .withNewPort("http")
            .endHttpGet()
            .endReadinessProbe()
            .endContainer()
            .build();

    assertThat(PodmanRun.readinessUrl(pod, node()))
        .isEqualTo(URI.create("http://127.0.0.1:8081/q/health/ready"));
  }
}
