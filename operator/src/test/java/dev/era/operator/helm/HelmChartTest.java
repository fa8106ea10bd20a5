package dev.era.operator.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.era.operator.EraOperatorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quarkus.runtime.configuration.DurationConverter;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart in helm/era: it lints, renders with default and overridden values, grants the
 * operator and the node agent exactly what their code uses, and ships exactly the generated CRDs.
 */
class HelmChartTest {
  /** Surefire runs in the module directory. */
  private static final Path CHART = Path.of("..", "helm", "era").toAbsolutePath().normalize();

  private static final Path GENERATED_CRDS = Path.of("..", "crds").toAbsolutePath().normalize();
  private static final String RELEASE = "era";
  private static final String NAMESPACE = "era-system";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void lintsCleanly() {
    LintResult result = new Helm(CHART).lint().strict().call();

    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void defaultValuesRenderTheOperatorAndTheNodeAgents() {
    List<JsonNode> documents = render(t -> t);

    assertThat(documents.stream().map(d -> d.path("kind").asText()))
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment", // operator
            "Service", // operator metrics
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "DaemonSet", // node agent
            "Role", // the node agent's file sources, in namespace default
            "RoleBinding");
    for (JsonNode d : documents) {
      String kind = d.path("kind").asText();
      boolean clusterScoped = kind.startsWith("Cluster");
      assertThat(d.path("metadata").path("namespace").asText())
          .as("namespace of %s %s", kind, d.path("metadata").path("name").asText())
          .isEqualTo(clusterScoped ? "" : kind.startsWith("Role") ? "default" : NAMESPACE);
    }
  }

  /**
   * What each component's code does with the API, and so exactly what its ClusterRole grants: verbs
   * per resource, kubectl-style ("eravms/status.era.dev", "events" for the core group). A change in
   * operator/ or node-agent/ that needs another verb changes this list and the chart; one that
   * stops using a verb removes it from both.
   */
  private static final Map<String, Map<String, Set<String>>> NEEDED =
      Map.of(
          "era-operator",
              Map.of(
                  // Informers; merge patches of labels (ResourceWriter) and JSON patches of JOSDK's
                  // finalizer, which reads the VM again on a conflict; deletion past the TTL.
                  "eravms.era.dev", Set.of("get", "list", "watch", "patch", "delete"),
                  // Informers; merge patches of labels, re-reads on conflicts; deletion of
                  // finished runs.
                  "eraruns.era.dev", Set.of("get", "list", "watch", "patch", "delete"),
                  // ResourceWriter: status merge-patched through the subresource.
                  "eravms/status.era.dev", Set.of("patch"),
                  "eraruns/status.era.dev", Set.of("patch"),
                  // Informer, re-reads on conflicts; the warm-pods annotation and status
                  // merge-patched (ResourceWriter).
                  "erapools.era.dev", Set.of("get", "list", "watch", "patch"),
                  "erapools/status.era.dev", Set.of("patch"),
                  "eranodes.era.dev", Set.of("list", "watch"), // informers
                  // PodScheduling: reservation pods; an informer, reads before the cache has one,
                  // deletion of one that can no longer hold its VM, a warm pod taken over.
                  // EraPoolReconciler: warm pods created and deleted.
                  "pods", Set.of("create", "get", "list", "watch", "patch", "delete"),
                  "events", Set.of("create", "patch")), // EventRecorder: repeats patch the count
          "era-node-agent",
              Map.ofEntries(
                  // NodeReporter: its own EraNode
                  Map.entry("eranodes.era.dev", Set.of("get", "create")),
                  // Informers by label, Adoption, re-reads on conflicts. Never written: teardown
                  // is reported in the status and the operator removes the finalizer.
                  Map.entry("eravms.era.dev", Set.of("get", "list", "watch")),
                  Map.entry("eraruns.era.dev", Set.of("get", "list", "watch")),
                  // WarmGuests' informer and Adoption: the guests the operator asks of the node.
                  Map.entry("erapools.era.dev", Set.of("list", "watch")),
                  // ResourceWriter: status merge-patched through the subresource.
                  Map.entry("eranodes/status.era.dev", Set.of("patch")),
                  Map.entry("eravms/status.era.dev", Set.of("patch")),
                  Map.entry("eraruns/status.era.dev", Set.of("patch")),
                  // EventRecorder: repeats patch the count
                  Map.entry("events", Set.of("create", "patch")),
                  // ReservationPodJoin: the reservation pod of a VM placed on the node;
                  // WarmPodSlots: a pool's warm pods.
                  Map.entry("pods", Set.of("get", "list")),
                  // NodeAcceleratorLabel: its Node's accelerator label (fabric8 reads it first).
                  Map.entry("nodes", Set.of("get", "patch")),
                  // The log endpoint's callers: who they are, and whether they may get the run.
                  Map.entry("tokenreviews.authentication.k8s.io", Set.of("create")),
                  Map.entry("subjectaccessreviews.authorization.k8s.io", Set.of("create"))));

  @ParameterizedTest
  @ValueSource(strings = {"era-operator", "era-node-agent"})
  void eachComponentsRoleGrantsExactlyWhatItsCodeNeeds(String component) {
    List<JsonNode> documents = render(t -> t);
    ClusterRole role = one(documents, ClusterRole.class, component);

    assertThat(grants(role.getRules())).isEqualTo(NEEDED.get(component));
    assertBoundTo(one(documents, ClusterRoleBinding.class, component), role, component);
  }

  /**
   * FileSources reads ConfigMaps and Secrets one by one, and only in the namespaces the admin opted
   * in: a Role and RoleBinding in each, nothing cluster-wide.
   */
  @Test
  void theNodeAgentReadsConfigMapsAndSecretsOnlyInOptedInNamespaces(@TempDir Path dir)
      throws IOException {
    Path values = dir.resolve("values.yaml");
    Files.writeString(values, "nodeAgent: {fileSourceNamespaces: [team-a, team-b]}\n");
    List<JsonNode> documents = render(t -> t.withValuesFile(values));

    for (String namespace : List.of("team-a", "team-b")) {
      Role role = inNamespace(documents, Role.class, namespace);
      RoleBinding binding = inNamespace(documents, RoleBinding.class, namespace);
      assertThat(grants(role.getRules()))
          .isEqualTo(Map.of("configmaps", Set.of("get"), "secrets", Set.of("get")));
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
      assertThat(binding.getSubjects())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.getName()).isEqualTo("era-node-agent");
                assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
              });
    }
    assertThat(documents).filteredOn(d -> d.path("kind").asText().startsWith("Role")).hasSize(4);
    assertThat(render(t -> t))
        .as("by default only the namespace default")
        .filteredOn(d -> d.path("kind").asText().equals("Role"))
        .extracting(d -> d.path("metadata").path("namespace").asText())
        .containsExactly("default");
  }

  private static <T extends HasMetadata> T inNamespace(
      List<JsonNode> documents, Class<T> type, String namespace) {
    return documents.stream()
        .filter(d -> d.path("kind").asText().equals(HasMetadata.getKind(type)))
        .filter(d -> d.path("metadata").path("namespace").asText().equals(namespace))
        .map(d -> SERIALIZATION.convertValue(d, type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + namespace));
  }

  @Test
  void theOperatorAndTheNodeAgentRunAsTheirServiceAccounts() {
    List<JsonNode> documents = render(t -> t);

    assertThat(
            one(documents, Deployment.class, "era-operator")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getServiceAccountName())
        .isEqualTo("era-operator");
    assertThat(
            one(documents, DaemonSet.class, "era-node-agent")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getServiceAccountName())
        .isEqualTo("era-node-agent");
  }

  @Test
  void nodeAgentGetsKvmItsNodeNameAndHostDirectories() {
    DaemonSet daemonSet = one(render(t -> t), DaemonSet.class, "era-node-agent");
    var pod = daemonSet.getSpec().getTemplate().getSpec();
    Container agent = pod.getContainers().get(0);

    EnvVar nodeName = env(agent, "ERA_NODE_NAME");
    assertThat(nodeName.getValue()).isNull();
    assertThat(nodeName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
    assertThat(env(agent, "ERA_POD_IP").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("status.podIP");

    assertThat(mountedHostPaths(pod.getVolumes(), agent.getVolumeMounts()))
        .containsEntry("/dev/kvm", "/dev/kvm")
        .containsEntry("/var/lib/era", "/var/lib/era")
        .containsEntry("/var/cache/era", "/var/cache/era");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("kvm"))
        .singleElement()
        .extracting(v -> v.getHostPath().getType())
        .isEqualTo("CharDevice");
    // The state and cache paths the agent falls back to must be the mounted ones.
    assertThat(env(agent, "ERA_AGENT_STATE_DIR").getValue()).startsWith("/var/lib/era/");
    assertThat(env(agent, "ERA_AGENT_LAUNCHER_STATE_DIR").getValue()).startsWith("/var/lib/era/");
    assertThat(env(agent, "ERA_AGENT_IMAGE_CACHE_DIR").getValue()).isEqualTo("/var/cache/era");

    assertThat(agent.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8095));
    assertThat(env(agent, "ERA_AGENT_HTTP_PORT").getValue()).isEqualTo("8095");
    assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(agent.getLivenessProbe()).as("a liveness restart would end every VM").isNull();
    assertThat(agent.getSecurityContext().getPrivileged()).isTrue();
    // QEMU runs as its own user in this container: the token is for root only.
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    Volume apiAccess =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals("api-access"))
            .findFirst()
            .orElseThrow();
    assertThat(apiAccess.getProjected().getDefaultMode()).isEqualTo(0400);
    assertThat(apiAccess.getProjected().getSources())
        .anySatisfy(s -> assertThat(s.getServiceAccountToken().getPath()).isEqualTo("token"));
    assertThat(agent.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("api-access");
              assertThat(m.getMountPath())
                  .isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
            });
    assertThat(agent.getResources().getLimits())
        .as("QEMU is charged to this container")
        .isNullOrEmpty();
  }

  @Test
  void operatorHasHealthProbesMetricsAndItsLogLevel() {
    List<JsonNode> documents = render(t -> t);
    Deployment deployment = one(documents, Deployment.class, "era-operator");
    Container operator = container(deployment.getSpec().getTemplate());

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(operator.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getName()).isEqualTo("http"))
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
    assertThat(env(operator, "QUARKUS_LOG_CATEGORY__DEV_ERA__LEVEL").getValue()).isEqualTo("INFO");

    Service metrics = one(documents, Service.class, "era-operator-metrics");
    assertThat(metrics.getSpec().getSelector())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(metrics.getSpec().getSelector());
    assertThat(metrics.getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
  }

  /**
   * Every era.operator.* setting reaches the operator as its environment variable, and the chart's
   * default is the operator's own (EraOperatorConfig.DEFAULT_*), read as Quarkus reads it.
   */
  @Test
  void chartDefaultsOfTheOperatorSettingsAreTheOperatorsDefaults() throws Exception {
    Container operator =
        container(one(render(t -> t), Deployment.class, "era-operator").getSpec().getTemplate());
    EraOperatorConfig defaults = EraOperatorConfig.defaults();

    for (RecordComponent setting : EraOperatorConfig.class.getRecordComponents()) {
      String variable =
          "ERA_OPERATOR_" + setting.getName().replaceAll("([A-Z])", "_$1").toUpperCase(Locale.ROOT);
      assertThat(asQuarkusReads(setting.getType(), env(operator, variable).getValue()))
          .as(variable)
          .isEqualTo(setting.getAccessor().invoke(defaults));
    }
  }

  private static Object asQuarkusReads(Class<?> type, String value) {
    if (type == Duration.class) {
      return DurationConverter.parseDuration(value);
    }
    if (type == int.class) {
      return Integer.parseInt(value);
    }
    if (type == EraOperatorConfig.PlacementMode.class) {
      return EraOperatorConfig.PlacementMode.valueOf(value);
    }
    return value;
  }

  @Test
  void valuesOverrideImagesAgentSettingsAndMetrics(@TempDir Path dir) throws IOException {
    Path values = dir.resolve("values.yaml");
    Files.writeString(
        values,
        """
        logLevel: debug
        operator:
          image: {repository: registry.example/era-operator, tag: "1.2.3", pullPolicy: Always}
          config: {nodeLostGrace: 10m}
        nodeAgent:
          image: {repository: registry.example/era-node-agent, tag: "1.2.3"}
          reserve: {cpu: 2, memoryMiB: 4096}
          accelerator: tcg
          port: 9000
          kvm: {hostDevice: false}
          hostPaths: {state: /data/era, cache: /data/era-cache}
          tolerations:
            - {key: era.dev/sandbox, operator: Exists, effect: NoSchedule}
        metrics:
          serviceMonitor: {enabled: true, labels: {release: prometheus}}
        """);
    List<JsonNode> documents = render(t -> t.withValuesFile(values));

    JsonNode monitor =
        documents.stream()
            .filter(d -> d.path("kind").asText().equals("ServiceMonitor"))
            .findFirst()
            .orElseThrow();
    assertThat(monitor.path("metadata").path("labels").path("release").asText())
        .isEqualTo("prometheus");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("path").asText())
        .isEqualTo("/q/metrics");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("port").asText())
        .isEqualTo(
            one(documents, Service.class, "era-operator-metrics")
                .getSpec()
                .getPorts()
                .get(0)
                .getName());

    Container operator =
        container(one(documents, Deployment.class, "era-operator").getSpec().getTemplate());
    assertThat(operator.getImage()).isEqualTo("registry.example/era-operator:1.2.3");
    assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
    assertThat(env(operator, "ERA_OPERATOR_NODE_LOST_GRACE").getValue()).isEqualTo("10m");
    assertThat(env(operator, "QUARKUS_LOG_CATEGORY__DEV_ERA__LEVEL").getValue()).isEqualTo("DEBUG");

    var pod = one(documents, DaemonSet.class, "era-node-agent").getSpec().getTemplate().getSpec();
    Container agent = pod.getContainers().get(0);
    assertThat(agent.getImage()).isEqualTo("registry.example/era-node-agent:1.2.3");
    assertThat(env(agent, "ERA_AGENT_RESERVE_CPU").getValue()).isEqualTo("2");
    assertThat(env(agent, "ERA_AGENT_RESERVE_MEMORY_MIB").getValue()).isEqualTo("4096");
    assertThat(env(agent, "ERA_ACCEL").getValue()).isEqualTo("tcg");
    assertThat(env(agent, "ERA_AGENT_HTTP_PORT").getValue()).isEqualTo("9000");
    assertThat(agent.getPorts().get(0).getContainerPort()).isEqualTo(9000);
    assertThat(mountedHostPaths(pod.getVolumes(), agent.getVolumeMounts()))
        .doesNotContainKey("/dev/kvm")
        .containsEntry("/var/lib/era", "/data/era")
        .containsEntry("/var/cache/era", "/data/era-cache");
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("era.dev/sandbox"));
  }

  @Test
  void defaultImagesAreTaggedWithTheAppVersion() throws IOException {
    String appVersion =
        YAML.readTree(CHART.resolve("Chart.yaml").toFile()).path("appVersion").asText();
    List<JsonNode> documents = render(t -> t);

    assertThat(appVersion).isEqualTo("0.1.0");
    assertThat(
            container(one(documents, Deployment.class, "era-operator").getSpec().getTemplate())
                .getImage())
        .endsWith(":" + appVersion);
    assertThat(
            container(one(documents, DaemonSet.class, "era-node-agent").getSpec().getTemplate())
                .getImage())
        .endsWith(":" + appVersion);
  }

  @Test
  void refusesMoreThanOneOperatorReplica() {
    assertThatThrownBy(() -> render(t -> t.set("operator.replicas", 2)))
        .hasMessageContaining("operator.replicas must be 0 or 1");
    assertThat(
            one(render(t -> t.set("operator.replicas", 0)), Deployment.class, "era-operator")
                .getSpec()
                .getReplicas())
        .isZero();
  }

  /** Helm installs crds/ before the templates; they must be the CRDs the api module generates. */
  @Test
  void chartCrdsAreTheGeneratedCrds() throws IOException {
    String howToFix =
        "helm/era/crds/ must hold exactly the CRDs generated into crds/; refresh both with: "
            + "mvn -pl api process-test-classes -Dera.crds.update";
    Set<String> generated = fileNames(GENERATED_CRDS);
    Set<String> inChart = fileNames(CHART.resolve("crds"));

    assertThat(generated).as("generated CRDs in %s", GENERATED_CRDS).isNotEmpty();
    assertThat(inChart).as(howToFix).isEqualTo(generated);
    for (String name : generated) {
      assertThat(Files.mismatch(GENERATED_CRDS.resolve(name), CHART.resolve("crds").resolve(name)))
          .as("%s differs: %s", name, howToFix)
          .isEqualTo(-1L);
    }
  }

  /** helm template of the chart as release "era" in NAMESPACE, one JSON tree per manifest. */
  private static List<JsonNode> render(UnaryOperator<TemplateCommand> options) {
    String manifests =
        options.apply(new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)).call();
    List<JsonNode> documents = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifests)) {
      while (it.hasNext()) {
        JsonNode document = it.next();
        if (document != null && document.isObject()) { // skips documents of comments only
          documents.add(document);
        }
      }
    } catch (IOException e) {
      throw new AssertionError("helm template produced invalid YAML:\n" + manifests, e);
    }
    return documents;
  }

  /** The pod's one container. */
  private static Container container(PodTemplateSpec pod) {
    return pod.getSpec().getContainers().get(0);
  }

  private static <T extends HasMetadata> T one(
      List<JsonNode> documents, Class<T> type, String name) {
    String kind = HasMetadata.getKind(type);
    List<T> found =
        documents.stream()
            .filter(d -> d.path("kind").asText().equals(kind))
            .filter(d -> d.path("metadata").path("name").asText().equals(name))
            .map(d -> SERIALIZATION.convertValue(d, type))
            .toList();
    assertThat(found).as("%s %s among the rendered manifests", kind, name).hasSize(1);
    return found.get(0);
  }

  /** Verbs per resource, kubectl-style: "eravms/status.era.dev", or "events" for the core group. */
  private static Map<String, Set<String>> grants(List<PolicyRule> rules) {
    Map<String, Set<String>> grants = new TreeMap<>();
    for (PolicyRule rule : rules) {
      assertThat(rule.getResourceNames()).as("rules limited to names").isNullOrEmpty();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          String key = group.isEmpty() ? resource : resource + "." + group;
          grants.computeIfAbsent(key, k -> new TreeSet<>()).addAll(rule.getVerbs());
        }
      }
    }
    return grants;
  }

  private static void assertBoundTo(ClusterRoleBinding binding, ClusterRole role, String account) {
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(account);
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
  }

  private static EnvVar env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no env " + name));
  }

  /** Mount path in the container → host path, for the hostPath volumes mounted. */
  private static Map<String, String> mountedHostPaths(
      List<Volume> volumes, List<VolumeMount> mounts) {
    Map<String, String> hostPaths =
        volumes.stream()
            .filter(v -> v.getHostPath() != null)
            .collect(Collectors.toMap(Volume::getName, v -> v.getHostPath().getPath()));
    return mounts.stream()
        .filter(m -> hostPaths.containsKey(m.getName()))
        .collect(Collectors.toMap(VolumeMount::getMountPath, m -> hostPaths.get(m.getName())));
  }

  private static Set<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
