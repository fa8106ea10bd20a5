package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.era.api.Crds;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl against the server with the CRDs it serves (generated from api/): what a user
 * does locally must work, and fail, as on a cluster.
 */
class KubectlIT {
  /** scripts/install-deps.sh installs kubectl, so a missing one fails these tests instead of skipping them. */
  private static final Path KUBECTL = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
      .filter(dir -> !dir.isEmpty())
      .map(dir -> Path.of(dir, "kubectl"))
      .filter(Files::isExecutable)
      .findFirst()
      .orElseThrow(() -> new IllegalStateException(
          "kubectl is not on PATH; scripts/install-deps.sh installs it (Debian package kubernetes-client)"));
  private static final ResourceDefinitionContext VMS = new ResourceDefinitionContext.Builder()
      .withGroup("era.dev").withVersion("v1alpha1").withKind("EraVM").withPlural("eravms").withNamespaced(true).build();

  @TempDir
  static Path dir;
  private static EmbeddedApiServer server;
  private static List<CustomResourceDefinition> crds;

  @BeforeAll
  static void start() throws IOException {
    crds = Crds.load();
    server = new EmbeddedApiServer();
    server.start(0);
    server.writeKubeconfig(dir.resolve("kubeconfig"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private record Result(int exit, String out, String err) {}

  private static ProcessBuilder kubectlProcess(String... args) {
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--cache-dir", dir.resolve("cache").toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KUBECONFIG", dir.resolve("kubeconfig").toString());
    builder.environment().put("HOME", dir.toString());
    return builder;
  }

  private static Result kubectl(String... args) throws Exception {
    Process process = kubectlProcess(args).start();
    try {
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl " + String.join(" ", args) + " finished").isTrue();
      return new Result(process.exitValue(), out, err);
    } finally {
      process.destroyForcibly();
    }
  }

  /** Writes a manifest; returns its path for kubectl -f. */
  private static String manifest(String name, String yaml) throws IOException {
    return Files.writeString(dir.resolve(name), yaml).toString();
  }

  private static String vmManifest(String name, String spec) throws IOException {
    return manifest(name + ".yaml", """
        apiVersion: era.dev/v1alpha1
        kind: EraVM
        metadata:
          name: %s
        spec:
        %s
        """.formatted(name, spec.indent(2)));
  }

  private static Resource<GenericKubernetesResource> vm(String name) {
    return server.client().genericKubernetesResources(VMS).inNamespace("default").withName(name);
  }

  private static CustomResourceDefinition crd(String kind) {
    return crds.stream().filter(c -> c.getSpec().getNames().getKind().equals(kind)).findFirst().orElseThrow();
  }

  /** The headers kubectl shows for a kind without -o wide: NAME, then the printer columns of priority 0. */
  private static List<String> headers(String kind) {
    return Stream.concat(Stream.of("NAME"), crd(kind).getSpec().getVersions().get(0).getAdditionalPrinterColumns()
        .stream().filter(c -> c.getPriority() == null || c.getPriority() == 0)
        .map(CustomResourceColumnDefinition::getName).map(n -> n.toUpperCase(Locale.ROOT))).toList();
  }

  private static List<String> headerLine(String output) {
    return Arrays.asList(output.lines().findFirst().orElse("").trim().split("\\s{2,}"));
  }

  @Test
  void getShowsThePrinterColumns() throws Exception {
    assertThat(kubectl("apply", "-f", vmManifest("columns", "language: node\ncpu: 3")).out())
        .contains("eravm.era.dev/columns created");
    vm("columns").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"status\": {\"phase\": \"Running\", \"nodeName\": \"local\"}}");

    Result get = kubectl("get", "eravms");
    assertThat(get.exit()).as(get.err()).isZero();
    assertThat(headerLine(get.out())).containsExactly("NAME", "PHASE", "NODE", "LANGUAGE", "CPU", "MEMORY", "AGE");
    assertThat(get.out().lines().filter(l -> l.startsWith("columns ")).findFirst().orElseThrow())
        .contains("Running", "local", "node", " 3 ", "256Mi");
  }

  @Test
  void everyKindShowsStateFirstAndAgeLast() {
    assertThat(headers("EraVM")).containsExactly("NAME", "PHASE", "NODE", "LANGUAGE", "CPU", "MEMORY", "AGE");
    assertThat(headers("EraRun")).containsExactly("NAME", "PHASE", "EXIT", "VM", "AGE");
    assertThat(headers("EraNode")).containsExactly("NAME", "READY", "ACCELERATOR", "CPU", "MEMORY", "AGE");
  }

  @Test
  void shortNamesAndTheEraCategoryWorkAsOnACluster() throws Exception {
    kubectl("apply", "-f", vmManifest("named", "language: python"));
    List<String> builtinShortNames = server.client().getApiResources("v1").getResources().stream()
        .flatMap(r -> r.getShortNames().stream()).toList();
    for (CustomResourceDefinition crd : crds) {
      String plural = crd.getSpec().getNames().getPlural();
      for (String shortName : crd.getSpec().getNames().getShortNames()) {
        // Core types win a short-name clash in kubectl, on any cluster: ours must not clash.
        assertThat(builtinShortNames).as("short name of " + plural).doesNotContain(shortName);
        Result get = kubectl("get", shortName);
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.err()).doesNotContain("short name");
      }
    }
    Result category = kubectl("get", "era");
    assertThat(category.exit()).as(category.err()).isZero();
    assertThat(category.out()).contains("eravm.era.dev/named");
  }

  @Test
  void applyShowsDefaultsAndTracksChanges() throws Exception {
    String file = vmManifest("applied", "language: python\ncpu: 2");
    assertThat(kubectl("apply", "-f", file).out()).contains("created");
    assertThat(kubectl("apply", "-f", file).out()).contains("eravm.era.dev/applied unchanged");

    Result yaml = kubectl("get", "eravm", "applied", "-o", "yaml");
    assertThat(yaml.exit()).as(yaml.err()).isZero();
    JsonNode object = new ObjectMapper(new YAMLFactory()).readTree(yaml.out());
    assertThat(object.path("metadata").path("uid").asText()).isNotEmpty();
    assertThat(object.path("metadata").path("generation").asInt()).isEqualTo(1);
    assertThat(object.path("spec").path("memory").asText()).as("schema default").isEqualTo("256Mi");
    assertThat(object.path("spec").path("running").asBoolean()).as("schema default").isTrue();

    vmManifest("applied", "language: python\ncpu: 4");
    assertThat(kubectl("apply", "-f", file).out()).contains("eravm.era.dev/applied configured");
    JsonNode changed = new ObjectMapper(new YAMLFactory()).readTree(kubectl("get", "eravm", "applied", "-o", "yaml").out());
    assertThat(changed.path("spec").path("cpu").asInt()).isEqualTo(4);
    assertThat(changed.path("metadata").path("generation").asInt()).isEqualTo(2);
  }

  @Test
  void applyRefusesInvalidManifestsWithTheServersMessage() throws Exception {
    Result invalid = kubectl("apply", "-f", vmManifest("broken", "language: cobol\ncpu: 0"));
    assertThat(invalid.exit()).isNotZero();
    assertThat(invalid.err()).contains("The EraVM \"broken\" is invalid")
        .contains("spec.cpu: Invalid value: 0: spec.cpu in body should be greater than or equal to 1")
        .contains("spec.language: Unsupported value: \"cobol\"");

    Result unknown = kubectl("apply", "-f", vmManifest("typo", "cpuu: 2"));
    assertThat(unknown.exit()).isNotZero();
    assertThat(unknown.err()).contains("strict decoding error: unknown field \"spec.cpuu\"");

    Result missing = kubectl("get", "eravm", "broken");
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).contains("eravms.era.dev \"broken\" not found");
  }

  @Test
  void deleteWaitsForFinalizersThroughAWatch() throws Exception {
    kubectl("apply", "-f", vmManifest("held", "language: python"));
    vm("held").edit(r -> {
      r.getMetadata().setFinalizers(List.of("era.dev/cleanup"));
      return r;
    });
    Process delete = kubectlProcess("delete", "eravm", "held", "--timeout=30s").start();
    try {
      await().atMost(Duration.ofSeconds(15)).until(() -> vm("held").get().getMetadata().getDeletionTimestamp() != null);
      assertThat(delete.isAlive()).as("kubectl waits while the finalizer is there").isTrue();
      vm("held").edit(r -> {
        r.getMetadata().setFinalizers(List.of());
        return r;
      });
      assertThat(delete.waitFor(15, TimeUnit.SECONDS)).isTrue();
      assertThat(delete.exitValue()).isZero();
      assertThat(new String(delete.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("eravm.era.dev \"held\" deleted");
    } finally {
      delete.destroyForcibly();
    }
    assertThat(vm("held").get()).isNull();
  }

  @Test
  void getWatchPrintsRowsAsStatusChanges() throws Exception {
    kubectl("apply", "-f", vmManifest("watched", "language: python"));
    Process watch = kubectlProcess("get", "eravms", "--watch").start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(lines::add);
      } catch (IOException e) {
        // The process was stopped.
      }
    });
    reader.start();
    try {
      await().atMost(Duration.ofSeconds(15)).until(() -> lines.stream().anyMatch(l -> l.startsWith("watched ")));
      vm("watched").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"status\": {\"phase\": \"Provisioning\"}}");
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(lines)
          .anyMatch(l -> l.startsWith("watched ") && l.contains("Provisioning")));
      assertThat(headerLine(lines.get(0))).containsExactlyElementsOf(headers("EraVM"));
    } finally {
      watch.destroyForcibly();
      watch.waitFor(10, TimeUnit.SECONDS);
      reader.join(10_000);
    }
  }

  @Test
  void describeShowsTheObjectsEvents() throws Exception {
    kubectl("apply", "-f", vmManifest("described", "language: python"));
    String uid = vm("described").get().getMetadata().getUid();
    server.client().v1().events().inNamespace("default").resource(new EventBuilder()
        .withNewMetadata().withName("described.1").endMetadata()
        .withType("Warning").withReason("Invalid").withMessage("spec.cpu: too many")
        .withNewInvolvedObject().withApiVersion("era.dev/v1alpha1").withKind("EraVM").withName("described")
        .withNamespace("default").withUid(uid).endInvolvedObject().build()).create();

    Result describe = kubectl("describe", "eravm", "described");
    assertThat(describe.exit()).as(describe.err()).isZero();
    assertThat(describe.out()).contains("Name:         described").contains("Warning  Invalid")
        .contains("spec.cpu: too many");
  }

  @Test
  void deleteRemovesTheObject() throws Exception {
    kubectl("apply", "-f", vmManifest("gone", "language: python"));
    Result delete = kubectl("delete", "eravm", "gone");
    assertThat(delete.exit()).as(delete.err()).isZero();
    assertThat(delete.out()).contains("eravm.era.dev \"gone\" deleted");
    assertThat(kubectl("get", "eravm", "gone").err()).contains("eravms.era.dev \"gone\" not found");
  }

  @Test
  void aComponentsTokenIsHeldToItsRbacRules() throws Exception {
    server.client().genericKubernetesResources(VMS).inNamespace("default").resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("era.dev/v1alpha1").withKind("EraVM").withNewMetadata().withName("guarded").endMetadata()
        .build()).create();
    String agent = UserInfo.serviceAccountName(Component.NAMESPACE, Component.NODE_AGENT.serviceAccount());

    Result delete = kubectl("--token", server.tokenOf(agent), "delete", "eravm", "guarded");
    assertThat(delete.exit()).isNotZero();
    assertThat(delete.err()).contains("Error from server (Forbidden): eravms.era.dev \"guarded\" is forbidden: User \""
        + agent + "\" cannot delete resource \"eravms\" in API group \"era.dev\" in the namespace \"default\"");
    Result get = kubectl("--token", server.tokenOf(agent), "get", "eravm", "guarded");
    assertThat(get.exit()).as(get.err()).isZero();
  }

  @Test
  void withoutAValidTokenOrTheCaKubectlGetsNowhere() throws Exception {
    Result wrongToken = kubectl("--token", "wrong", "get", "eravms");
    assertThat(wrongToken.exit()).isNotZero();
    assertThat(wrongToken.err()).contains("error: You must be logged in to the server");

    Path withoutCa = dir.resolve("kubeconfig-without-ca");
    Files.writeString(withoutCa, Files.readString(dir.resolve("kubeconfig"))
        .replaceAll("(?m)^.*certificate-authority-data:.*$", ""));
    Result untrusted = kubectl("--kubeconfig", withoutCa.toString(), "get", "eravms");
    assertThat(untrusted.exit()).isNotZero();
    assertThat(untrusted.err()).contains("x509: certificate signed by unknown authority");
  }

  @Test
  void appliesConfigMapsRepeatedly() throws Exception {
    String file = manifest("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n");
    assertThat(kubectl("apply", "-f", file).out()).contains("configmap/settings created");
    manifest("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  b: \"2\"\n");
    Result again = kubectl("apply", "-f", file);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(server.client().configMaps().inNamespace("default").withName("settings").get().getData())
        .isEqualTo(Map.of("b", "2"));
  }
}
