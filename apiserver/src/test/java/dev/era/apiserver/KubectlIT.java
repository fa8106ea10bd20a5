package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.time.Instant;
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
  /**
   * scripts/install-deps.sh installs kubectl, so a missing one fails these tests instead of
   * skipping them.
   */
  private static final Path KUBECTL =
      Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
          .filter(dir -> !dir.isEmpty())
          .map(dir -> Path.of(dir, "kubectl"))
          .filter(Files::isExecutable)
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "kubectl is not on PATH; scripts/install-deps.sh installs it (Debian package kubernetes-client)"));

  private static final ResourceDefinitionContext VMS =
      new ResourceDefinitionContext.Builder()
          .withGroup("era.dev")
          .withVersion("v1alpha1")
          .withKind("EraVM")
          .withPlural("eravms")
          .withNamespaced(true)
          .build();

  @TempDir static Path dir;
  private static EmbeddedApiServer server;
  private static List<CustomResourceDefinition> crds;

  /**
   * The minor version of the kubectl under test; features newer kubectls have are checked only with
   * them.
   */
  private static int kubectlMinor;

  @BeforeAll
  static void start() throws Exception {
    crds = Crds.load();
    server = new EmbeddedApiServer();
    server.start(0);
    server.writeKubeconfig(dir.resolve("kubeconfig"));
    JsonNode version =
        new ObjectMapper().readTree(kubectl("version", "--client", "-o", "json").out());
    kubectlMinor =
        Integer.parseInt(
            version.path("clientVersion").path("minor").asText().replaceAll("\\D", ""));
  }

  private static void assumeKubectlAtLeast(int minor, String feature) {
    assumeTrue(
        kubectlMinor >= minor,
        "kubectl 1." + kubectlMinor + " has no " + feature + " (it came in 1." + minor + ")");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private record Result(int exit, String out, String err) {}

  private static ProcessBuilder kubectlProcess(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(KUBECTL.toString(), "--cache-dir", dir.resolve("cache").toString()));
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
      assertThat(process.waitFor(60, TimeUnit.SECONDS))
          .as("kubectl " + String.join(" ", args) + " finished")
          .isTrue();
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
    return manifest(
        name + ".yaml",
        """
        apiVersion: era.dev/v1alpha1
        kind: EraVM
        metadata:
          name: %s
        spec:
        %s
        """
            .formatted(name, spec.indent(2)));
  }

  private static Resource<GenericKubernetesResource> vm(String name) {
    return server.client().genericKubernetesResources(VMS).inNamespace("default").withName(name);
  }

  private static CustomResourceDefinition crd(String kind) {
    return crds.stream()
        .filter(c -> c.getSpec().getNames().getKind().equals(kind))
        .findFirst()
        .orElseThrow();
  }

  /**
   * The headers kubectl shows for a kind without -o wide: NAME, then the printer columns of
   * priority 0.
   */
  private static List<String> headers(String kind) {
    return Stream.concat(
            Stream.of("NAME"),
            crd(kind).getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .filter(c -> c.getPriority() == null || c.getPriority() == 0)
                .map(CustomResourceColumnDefinition::getName)
                .map(n -> n.toUpperCase(Locale.ROOT)))
        .toList();
  }

  private static List<String> headerLine(String output) {
    return Arrays.asList(output.lines().findFirst().orElse("").trim().split("\\s{2,}"));
  }

  @Test
  void getShowsThePrinterColumns() throws Exception {
    assertThat(kubectl("apply", "-f", vmManifest("columns", "language: node\ncpu: 3")).out())
        .contains("eravm.era.dev/columns created");
    vm("columns")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\": {\"phase\": \"Running\", \"nodeName\": \"local\"}}");

    Result get = kubectl("get", "eravms");
    assertThat(get.exit()).as(get.err()).isZero();
    assertThat(headerLine(get.out()))
        .containsExactly("NAME", "PHASE", "NODE", "LANGUAGE", "CPU", "MEMORY", "AGE");
    assertThat(get.out().lines().filter(l -> l.startsWith("columns ")).findFirst().orElseThrow())
        .contains("Running", "local", "node", " 3 ", "256Mi");
  }

  @Test
  void everyKindShowsStateFirstAndAgeLast() {
    assertThat(headers("EraVM"))
        .containsExactly("NAME", "PHASE", "NODE", "LANGUAGE", "CPU", "MEMORY", "AGE");
    assertThat(headers("EraRun")).containsExactly("NAME", "PHASE", "EXIT", "VM", "AGE");
    assertThat(headers("EraNode"))
        .containsExactly("NAME", "READY", "ACCELERATOR", "CPU", "MEMORY", "AGE");
  }

  @Test
  void shortNamesAndTheEraCategoryWorkAsOnACluster() throws Exception {
    kubectl("apply", "-f", vmManifest("named", "language: python"));
    List<String> builtinShortNames =
        server.client().getApiResources("v1").getResources().stream()
            .flatMap(r -> r.getShortNames().stream())
            .toList();
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
    JsonNode changed =
        new ObjectMapper(new YAMLFactory())
            .readTree(kubectl("get", "eravm", "applied", "-o", "yaml").out());
    assertThat(changed.path("spec").path("cpu").asInt()).isEqualTo(4);
    assertThat(changed.path("metadata").path("generation").asInt()).isEqualTo(2);
  }

  @Test
  void applyRefusesInvalidManifestsWithTheServersMessage() throws Exception {
    Result invalid = kubectl("apply", "-f", vmManifest("broken", "language: cobol\ncpu: 0"));
    assertThat(invalid.exit()).isNotZero();
    assertThat(invalid.err())
        .contains("The EraVM \"broken\" is invalid")
        .contains(
            "spec.cpu: Invalid value: 0: spec.cpu in body should be greater than or equal to 1")
        .contains("spec.language: Unsupported value: \"cobol\"");

    Result unknown = kubectl("apply", "-f", vmManifest("typo", "cpuu: 2"));
    if (kubectlMinor >= 27) {
      // kubectl asks the server to refuse unknown fields (fieldValidation=Strict), having found it
      // can in OpenAPI v3.
      assertThat(unknown.exit()).isNotZero();
      assertThat(unknown.err()).contains("strict decoding error: unknown field \"spec.cpuu\"");
    } else {
      // Older kubectl validates against OpenAPI v2, which has no schemas here; the server drops the
      // field and says so.
      assertThat(unknown.exit()).as(unknown.err()).isZero();
      assertThat(unknown.err()).contains("unknown field \"spec.cpuu\"");
    }

    Result missing = kubectl("get", "eravm", "broken");
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).contains("eravms.era.dev \"broken\" not found");
  }

  @Test
  void deleteWaitsForFinalizersThroughAWatch() throws Exception {
    kubectl("apply", "-f", vmManifest("held", "language: python"));
    vm("held")
        .edit(
            r -> {
              r.getMetadata().setFinalizers(List.of("era.dev/cleanup"));
              return r;
            });
    Process delete =
        kubectlProcess("delete", "eravm", "held", "--wait=true", "--timeout=30s").start();
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> vm("held").get().getMetadata().getDeletionTimestamp() != null);
      assertThat(delete.isAlive()).as("kubectl waits while the finalizer is there").isTrue();
      vm("held")
          .edit(
              r -> {
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
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(lines::add);
              } catch (IOException e) {
                // The process was stopped.
              }
            });
    reader.start();
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> lines.stream().anyMatch(l -> l.startsWith("watched ")));
      vm("watched")
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE), "{\"status\": {\"phase\": \"Provisioning\"}}");
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(lines)
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
    server
        .client()
        .v1()
        .events()
        .inNamespace("default")
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName("described.1")
                .endMetadata()
                .withType("Warning")
                .withReason("Invalid")
                .withMessage("spec.cpu: too many")
                .withNewInvolvedObject()
                .withApiVersion("era.dev/v1alpha1")
                .withKind("EraVM")
                .withName("described")
                .withNamespace("default")
                .withUid(uid)
                .endInvolvedObject()
                .build())
        .create();

    Result describe = kubectl("describe", "eravm", "described");
    assertThat(describe.exit()).as(describe.err()).isZero();
    assertThat(describe.out())
        .contains("Name:         described")
        .contains("Warning  Invalid")
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
    server
        .client()
        .genericKubernetesResources(VMS)
        .inNamespace("default")
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("era.dev/v1alpha1")
                .withKind("EraVM")
                .withNewMetadata()
                .withName("guarded")
                .endMetadata()
                .build())
        .create();
    String agent =
        UserInfo.serviceAccountName(Component.NAMESPACE, Component.NODE_AGENT.serviceAccount());

    Result delete = kubectl("--token", server.tokenOf(agent), "delete", "eravm", "guarded");
    assertThat(delete.exit()).isNotZero();
    assertThat(delete.err())
        .contains(
            "Error from server (Forbidden): eravms.era.dev \"guarded\" is forbidden: User \""
                + agent
                + "\" cannot delete resource \"eravms\" in API group \"era.dev\" in the namespace \"default\"");
    Result get = kubectl("--token", server.tokenOf(agent), "get", "eravm", "guarded");
    assertThat(get.exit()).as(get.err()).isZero();
  }

  @Test
  void withoutAValidTokenOrTheCaKubectlGetsNowhere() throws Exception {
    Result wrongToken = kubectl("--token", "wrong", "get", "eravms");
    assertThat(wrongToken.exit()).isNotZero();
    assertThat(wrongToken.err()).contains("error: You must be logged in to the server");

    Path withoutCa = dir.resolve("kubeconfig-without-ca");
    Files.writeString(
        withoutCa,
        Files.readString(dir.resolve("kubeconfig"))
            .replaceAll("(?m)^.*certificate-authority-data:.*$", ""));
    Result untrusted = kubectl("--kubeconfig", withoutCa.toString(), "get", "eravms");
    assertThat(untrusted.exit()).isNotZero();
    assertThat(untrusted.err()).contains("x509: certificate signed by unknown authority");
  }

  @Test
  void appliesConfigMapsRepeatedly() throws Exception {
    String file =
        manifest(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n");
    assertThat(kubectl("apply", "-f", file).out()).contains("configmap/settings created");
    manifest(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  b: \"2\"\n");
    Result again = kubectl("apply", "-f", file);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(
            server
                .client()
                .configMaps()
                .inNamespace("default")
                .withName("settings")
                .get()
                .getData())
        .isEqualTo(Map.of("b", "2"));
  }

  /** An object as the server has it, through the fabric8 client. */
  private static Map<String, Object> spec(String name) {
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>) vm(name).get().getAdditionalProperties().get("spec");
    return spec;
  }

  /**
   * Older kubectl first looks for dry-run support in OpenAPI v2, which has no paths here, and
   * refuses.
   */
  private static void assumeKubectlTrustsServerDryRun() {
    assumeKubectlAtLeast(27, "server dry run without looking for it in OpenAPI v2");
  }

  @Test
  void serverDryRunChecksEverythingAndStoresNothing() throws Exception {
    assumeKubectlTrustsServerDryRun();
    Result created =
        kubectl("apply", "--dry-run=server", "-f", vmManifest("dry", "language: python"));
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out()).contains("eravm.era.dev/dry created (server dry run)");
    assertThat(vm("dry").get()).isNull();
    Result invalid = kubectl("apply", "--dry-run=server", "-f", vmManifest("dry-bad", "cpu: 0"));
    assertThat(invalid.exit()).isNotZero();
    assertThat(invalid.err()).contains("spec.cpu: Invalid value: 0");

    kubectl("apply", "-f", vmManifest("dry", "language: python\ncpu: 1"));
    String resourceVersion = vm("dry").get().getMetadata().getResourceVersion();
    Result changed =
        kubectl("apply", "--dry-run=server", "-f", vmManifest("dry", "language: python\ncpu: 3"));
    assertThat(changed.out()).contains("eravm.era.dev/dry configured (server dry run)");
    Result deleted = kubectl("delete", "eravm", "dry", "--dry-run=server");
    assertThat(deleted.out()).contains("eravm.era.dev \"dry\" deleted (server dry run)");
    assertThat(spec("dry")).containsEntry("cpu", 1);
    assertThat(vm("dry").get().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
  }

  @Test
  void diffShowsWhatApplyWouldChange() throws Exception {
    assumeKubectlTrustsServerDryRun();
    String file = vmManifest("diffed", "language: python\ncpu: 1");
    kubectl("apply", "-f", file);
    Result same = kubectl("diff", "-f", file);
    assertThat(same.exit()).as(same.err()).isZero();
    assertThat(same.out()).isEmpty();

    vmManifest("diffed", "language: python\ncpu: 3");
    Result changed = kubectl("diff", "-f", file);
    assertThat(changed.exit()).as("1: differences found. " + changed.err()).isEqualTo(1);
    assertThat(changed.out()).contains("-  cpu: 1").contains("+  cpu: 3");
    assertThat(spec("diffed")).containsEntry("cpu", 1);

    Result added = kubectl("diff", "-f", vmManifest("diffed-new", "language: node"));
    assertThat(added.exit()).as(added.err()).isEqualTo(1);
    assertThat(added.out()).contains("+  name: diffed-new").contains("+  memory: 256Mi");
    assertThat(vm("diffed-new").get()).isNull();
  }

  @Test
  void serverSideApplyOwnsFieldsAndNamesConflicts() throws Exception {
    Result applied =
        kubectl(
            "apply",
            "--server-side",
            "-f",
            vmManifest("ssa", "language: node\ncpu: 2\nnodeName: n1"));
    assertThat(applied.exit()).as(applied.err()).isZero();
    assertThat(applied.out()).contains("eravm.era.dev/ssa serverside-applied");
    assertThat(vm("ssa").get().getMetadata().getManagedFields())
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.getManager()).isEqualTo("kubectl");
              assertThat(entry.getOperation()).isEqualTo("Apply");
            });

    String other =
        manifest(
            "ssa-other.yaml",
            "apiVersion: era.dev/v1alpha1\nkind: EraVM\nmetadata:\n  name: ssa\n"
                + "spec:\n  cpu: 4\n");
    Result conflict = kubectl("apply", "--server-side", "--field-manager=flux", "-f", other);
    assertThat(conflict.exit()).isNotZero();
    assertThat(conflict.err())
        .contains("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.cpu");
    Result forced =
        kubectl("apply", "--server-side", "--field-manager=flux", "--force-conflicts", "-f", other);
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(spec("ssa")).containsEntry("cpu", 4);

    Result fewer = kubectl("apply", "--server-side", "-f", vmManifest("ssa", "language: node"));
    assertThat(fewer.exit()).as(fewer.err()).isZero();
    assertThat(spec("ssa"))
        .as("nodeName is no longer applied by anyone; cpu is flux's now")
        .doesNotContainKey("nodeName")
        .containsEntry("cpu", 4)
        .containsEntry("language", "node");
  }

  @Test
  void serverSideApplyTakesOverFromClientSideApply() throws Exception {
    kubectl("apply", "-f", vmManifest("upgraded", "language: python\ncpu: 2"));
    Result upgraded =
        kubectl("apply", "--server-side", "-f", vmManifest("upgraded", "language: python\ncpu: 3"));
    assertThat(upgraded.exit()).as(upgraded.err()).isZero();
    assertThat(spec("upgraded")).containsEntry("cpu", 3);
  }

  @Test
  void serverSideApplyOfConfigMapsAndSecrets() throws Exception {
    String file =
        manifest(
            "ssa-cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-cm\ndata:\n"
                + "  a: \"1\"\n  b: \"2\"\n");
    assertThat(kubectl("apply", "--server-side", "-f", file).out())
        .contains("configmap/ssa-cm serverside-applied");
    manifest(
        "ssa-cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-cm\ndata:\n  a: \"1\"\n");
    kubectl("apply", "--server-side", "-f", file);
    assertThat(
            server.client().configMaps().inNamespace("default").withName("ssa-cm").get().getData())
        .isEqualTo(Map.of("a", "1"));

    Result secret =
        kubectl(
            "apply",
            "--server-side",
            "-f",
            manifest(
                "ssa-secret.yaml",
                "apiVersion: v1\nkind: Secret\n"
                    + "metadata:\n  name: ssa-secret\ntype: Opaque\ndata:\n  token: dG9rZW4=\nstringData:\n  user: era\n"));
    assertThat(secret.out()).as(secret.err()).contains("secret/ssa-secret serverside-applied");
    var stored = server.client().secrets().inNamespace("default").withName("ssa-secret").get();
    assertThat(stored.getData())
        .as("stringData is written into data")
        .isEqualTo(Map.of("token", "dG9rZW4=", "user", "ZXJh"));
    assertThat(stored.getStringData()).isNullOrEmpty();
  }

  @Test
  void setBasedLabelSelectorsAndFieldSelectors() throws Exception {
    for (String team : List.of("a", "b", "c")) {
      kubectl(
          "apply",
          "-f",
          manifest(
              "team-" + team + ".yaml",
              "apiVersion: era.dev/v1alpha1\nkind: EraVM\n"
                  + "metadata:\n  name: team-"
                  + team
                  + "\n  labels:\n    team: "
                  + team
                  + "\nspec:\n  language: python\n"));
    }
    Result in = kubectl("get", "eravm", "-l", "team in (a,b)", "-o", "name");
    assertThat(in.exit()).as(in.err()).isZero();
    assertThat(in.out().lines())
        .containsExactlyInAnyOrder("eravm.era.dev/team-a", "eravm.era.dev/team-b");
    assertThat(kubectl("get", "eravm", "-l", "team notin (a,b),team", "-o", "name").out().lines())
        .containsExactly("eravm.era.dev/team-c");
    assertThat(kubectl("get", "eravm", "-l", "!team", "-o", "name").out()).doesNotContain("team-");
    assertThat(
            kubectl("get", "eravm", "--field-selector", "metadata.name=team-b", "-o", "name")
                .out()
                .lines())
        .containsExactly("eravm.era.dev/team-b");
    Result unsupported = kubectl("get", "eravm", "--field-selector", "spec.cpu=1");
    assertThat(unsupported.exit()).isNotZero();
    assertThat(unsupported.err()).contains("field label not supported: spec.cpu");
  }

  @Test
  void imperativeCreatesOfBuiltInKindsWork() throws Exception {
    Result configMap = kubectl("create", "configmap", "created-cm", "--from-literal=a=b");
    assertThat(configMap.exit()).as(configMap.err()).isZero();
    assertThat(configMap.out()).contains("configmap/created-cm created");
    assertThat(
            server
                .client()
                .configMaps()
                .inNamespace("default")
                .withName("created-cm")
                .get()
                .getData())
        .isEqualTo(Map.of("a", "b"));
    Result secret = kubectl("create", "secret", "generic", "created-secret", "--from-literal=a=b");
    assertThat(secret.out()).as(secret.err()).contains("secret/created-secret created");
    var stored = server.client().secrets().inNamespace("default").withName("created-secret").get();
    assertThat(stored.getData()).isEqualTo(Map.of("a", "Yg=="));
    assertThat(stored.getType()).isEqualTo("Opaque");
    Result namespace = kubectl("create", "namespace", "created-ns");
    assertThat(namespace.out()).as(namespace.err()).contains("namespace/created-ns created");
    assertThat(server.client().namespaces().withName("created-ns").get()).isNotNull();
  }

  @Test
  void getEventsShowsTheEventColumns() throws Exception {
    server
        .client()
        .v1()
        .events()
        .inNamespace("default")
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName("listed.1")
                .endMetadata()
                .withType("Warning")
                .withReason("Invalid")
                .withMessage("spec.cpu: too many")
                .withLastTimestamp(Instant.now().toString())
                .withNewInvolvedObject()
                .withKind("EraVM")
                .withName("listed")
                .withNamespace("default")
                .endInvolvedObject()
                .build())
        .create();
    Result events = kubectl("get", "events");
    assertThat(events.exit()).as(events.err()).isZero();
    assertThat(headerLine(events.out()))
        .containsExactly("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
    assertThat(
            events.out().lines().filter(l -> l.contains("eravm/listed")).findFirst().orElseThrow())
        .contains("Warning")
        .contains("Invalid")
        .contains("spec.cpu: too many");
  }

  @Test
  void patchWithMergeAndJsonPatches() throws Exception {
    kubectl("apply", "-f", vmManifest("patched", "language: python\ncpu: 1"));
    Result merge =
        kubectl("patch", "eravm", "patched", "--type", "merge", "-p", "{\"spec\": {\"cpu\": 2}}");
    assertThat(merge.out()).as(merge.err()).contains("eravm.era.dev/patched patched");
    Result json =
        kubectl(
            "patch",
            "eravm",
            "patched",
            "--type",
            "json",
            "-p",
            "[{\"op\": \"replace\", \"path\": \"/spec/cpu\", \"value\": 3}]");
    assertThat(json.out()).as(json.err()).contains("eravm.era.dev/patched patched");
    assertThat(spec("patched")).containsEntry("cpu", 3);
    Result unchanged =
        kubectl("patch", "eravm", "patched", "--type", "merge", "-p", "{\"spec\": {\"cpu\": 3}}");
    assertThat(unchanged.out()).contains("eravm.era.dev/patched patched (no change)");
    Result invalid =
        kubectl(
            "patch",
            "eravm",
            "patched",
            "--type",
            "json",
            "-p",
            "[{\"op\": \"replace\", \"path\": \"/spec/cpu\", \"value\": 0}]");
    assertThat(invalid.exit()).isNotZero();
    assertThat(invalid.err()).contains("spec.cpu: Invalid value: 0");
  }

  @Test
  void replaceReplacesTheWholeObject() throws Exception {
    kubectl("apply", "-f", vmManifest("replaced", "language: python\nnodeName: n1"));
    Result replaced = kubectl("replace", "-f", vmManifest("replaced", "language: node"));
    assertThat(replaced.out()).as(replaced.err()).contains("eravm.era.dev/replaced replaced");
    assertThat(spec("replaced")).containsEntry("language", "node").doesNotContainKey("nodeName");
    Result missing = kubectl("replace", "-f", vmManifest("never-created", "language: node"));
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).contains("eravms.era.dev \"never-created\" not found");
  }

  @Test
  void explainDescribesTheCrdsFields() throws Exception {
    assumeKubectlAtLeast(27, "explain from OpenAPI v3, the only OpenAPI with schemas here");
    Result explain = kubectl("explain", "eravm.spec.cpu");
    assertThat(explain.exit()).as(explain.err()).isZero();
    assertThat(explain.out()).contains("EraVM").contains("cpu").contains("<integer>");
  }

  @Test
  void waitForAJsonPathValue() throws Exception {
    assumeKubectlAtLeast(23, "wait --for=jsonpath");
    kubectl("apply", "-f", vmManifest("awaited", "language: python"));
    Process wait =
        kubectlProcess(
                "wait", "--for=jsonpath={.status.phase}=Running", "eravm/awaited", "--timeout=30s")
            .start();
    try {
      vm("awaited")
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\": {\"phase\": \"Running\"}}");
      assertThat(wait.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(wait.exitValue())
          .as(new String(wait.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
          .isZero();
      assertThat(new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("eravm.era.dev/awaited condition met");
    } finally {
      wait.destroyForcibly();
    }
  }
}
