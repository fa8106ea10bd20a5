package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.era.api.Crds;
import dev.era.api.Era;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running server, driven by the fabric8 client (as the operator and node agent drive it) and
 * raw HTTP.
 */
class EmbeddedApiServerIT {
  private static final ResourceDefinitionContext VMS = context("EraVM", "eravms", true);
  private static final ResourceDefinitionContext NODES = context("EraNode", "eranodes", false);
  private static final String NODE_LABEL = "era.dev/node";

  private static EmbeddedApiServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    server = new EmbeddedApiServer();
    server.start(0);
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static ResourceDefinitionContext context(String kind, String plural, boolean namespaced) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(Era.GROUP)
        .withVersion(Era.VERSION)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(namespaced)
        .build();
  }

  /** Each test works in its own namespace so that lists and watches see only its objects. */
  private static NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      vms(String namespace) {
    return client.genericKubernetesResources(VMS).inNamespace(namespace);
  }

  private static String namespace() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static GenericKubernetesResource vm(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("era.dev/v1alpha1")
        .withKind("EraVM")
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> field(GenericKubernetesResource resource, String name) {
    return (Map<String, Object>) resource.getAdditionalProperties().get(name);
  }

  @Test
  void createsWithDefaultsGetsListsAndDeletes() {
    String ns = namespace();
    GenericKubernetesResource created =
        vms(ns).resource(vm("vm", Map.of("language", "node"))).create();

    assertThat(UUID.fromString(created.getMetadata().getUid()).version())
        .as("random uid")
        .isEqualTo(4);
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(created.getMetadata().getNamespace()).isEqualTo(ns);
    assertThat(field(created, "spec"))
        .containsEntry("cpu", 1)
        .containsEntry("memory", "256Mi")
        .containsEntry("language", "node");
    assertThat(vms(ns).withName("vm").get().getMetadata().getUid())
        .isEqualTo(created.getMetadata().getUid());
    assertThat(vms(ns).list().getItems())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("vm");
    assertThatThrownBy(() -> vms(ns).resource(vm("vm", Map.of())).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

    vms(ns).withName("vm").delete();
    assertThat(vms(ns).withName("vm").get()).isNull();
  }

  @Test
  void generateNameNamesTheObject() {
    GenericKubernetesResource template = vm(null, Map.of());
    template.getMetadata().setGenerateName("vm-");
    GenericKubernetesResource created = vms(namespace()).resource(template).create();
    assertThat(created.getMetadata().getName()).matches("vm-[a-z0-9]{5}");
  }

  @Test
  void watchWithALabelSelectorSeesOnlyMatchingObjectsAndTheirStatusUpdates() {
    String ns = namespace();
    List<String> events = new CopyOnWriteArrayList<>();
    Watcher<GenericKubernetesResource> watcher =
        new Watcher<>() {
          @Override
          public void eventReceived(Action action, GenericKubernetesResource resource) {
            Map<String, Object> status = field(resource, "status");
            events.add(
                action
                    + " "
                    + resource.getMetadata().getName()
                    + " "
                    + (status == null ? "-" : status.get("phase")));
          }

          @Override
          public void onClose(WatcherException cause) {
            // The test closes the watch.
          }
        };
    try (Watch ignored = vms(ns).withLabel(NODE_LABEL, "n1").watch(watcher)) {
      GenericKubernetesResource mine = vm("mine", Map.of());
      mine.getMetadata().setLabels(Map.of(NODE_LABEL, "n1"));
      GenericKubernetesResource other = vm("other", Map.of());
      other.getMetadata().setLabels(Map.of(NODE_LABEL, "n2"));
      vms(ns).resource(other).create();
      GenericKubernetesResource created = vms(ns).resource(mine).create();
      created.setAdditionalProperty("status", Map.of("phase", "Running"));
      vms(ns).resource(created).updateStatus();
      vms(ns).withName("mine").delete();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(events)
                      .containsExactly(
                          "ADDED mine -", "MODIFIED mine Running", "DELETED mine Running"));
    }
  }

  @Test
  void anInformerWithALabelSelectorFollowsItsObjects() {
    String ns = namespace();
    List<String> seen = new CopyOnWriteArrayList<>();
    GenericKubernetesResource before = vm("before", Map.of());
    before.getMetadata().setLabels(Map.of(NODE_LABEL, "n1"));
    vms(ns).resource(before).create();
    vms(ns).resource(vm("unlabelled", Map.of())).create();

    try (SharedIndexInformer<GenericKubernetesResource> informer =
        vms(ns)
            .withLabel(NODE_LABEL, "n1")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource obj) {
                    seen.add("add " + obj.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(
                      GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                    Map<String, Object> status = field(newObj, "status");
                    if (status != null) {
                      seen.add(
                          "status " + newObj.getMetadata().getName() + " " + status.get("phase"));
                    }
                  }

                  @Override
                  public void onDelete(
                      GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                    seen.add("delete " + obj.getMetadata().getName());
                  }
                })) {
      await().atMost(Duration.ofSeconds(10)).until(informer::hasSynced);
      GenericKubernetesResource current = vms(ns).withName("before").get();
      current.setAdditionalProperty("status", Map.of("phase", "Provisioning"));
      vms(ns).resource(current).updateStatus();
      vms(ns).withName("before").delete();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(seen)
                      .containsExactly(
                          "add before", "status before Provisioning", "delete before"));
    }
  }

  @Test
  void statusIsWrittenOnlyThroughTheStatusSubresource() {
    String ns = namespace();
    GenericKubernetesResource created = vms(ns).resource(vm("vm", Map.of("cpu", 1))).create();

    created.setAdditionalProperty("status", Map.of("phase", "Running"));
    GenericKubernetesResource afterMainUpdate = vms(ns).resource(created).update();
    assertThat(afterMainUpdate.getAdditionalProperties())
        .as("status ignored on the main resource")
        .doesNotContainKey("status");

    afterMainUpdate.setAdditionalProperty("status", Map.of("phase", "Running"));
    afterMainUpdate.setAdditionalProperty("spec", Map.of("cpu", 8));
    GenericKubernetesResource afterStatus = vms(ns).resource(afterMainUpdate).updateStatus();
    assertThat(field(afterStatus, "status")).containsEntry("phase", "Running");
    assertThat(field(afterStatus, "spec")).as("spec ignored on /status").containsEntry("cpu", 1);
    assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void generationCountsSpecChangesOnly() {
    String ns = namespace();
    vms(ns).resource(vm("vm", Map.of("cpu", 1))).create();
    Resource<GenericKubernetesResource> vm = vms(ns).withName("vm");

    vm.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\": {\"labels\": {\"a\": \"b\"}}}");
    vm.subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\": {\"phase\": \"Running\"}}");
    assertThat(vm.get().getMetadata().getGeneration()).isEqualTo(1L);

    vm.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"cpu\": 2}}");
    assertThat(vm.get().getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void aStatusWriteBasedOnAStaleObjectConflicts() {
    String ns = namespace();
    GenericKubernetesResource stale = vms(ns).resource(vm("vm", Map.of())).create();
    vms(ns).withName("vm").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"cpu\": 2}}");

    stale.setAdditionalProperty("status", Map.of("phase", "Failed"));
    assertThatThrownBy(() -> vms(ns).resource(stale).updateStatus())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  @Test
  void rejectsInvalidObjectsWithFieldPaths() {
    String ns = namespace();
    assertThatThrownBy(
            () -> vms(ns).resource(vm("bad", Map.of("cpu", 0, "language", "cobol"))).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
              assertThat(e.getStatus().getMessage())
                  .startsWith("EraVM.era.dev \"bad\" is invalid: [");
              assertThat(e.getStatus().getDetails().getCauses())
                  .extracting(StatusCause::getField)
                  .containsExactlyInAnyOrder("spec.cpu", "spec.language");
            });
    assertThat(vms(ns).withName("bad").get()).isNull();

    vms(ns).resource(vm("good", Map.of("cpu", 2))).create();
    assertThatThrownBy(
            () ->
                vms(ns)
                    .withName("good")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"cpu\": 65}}"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    assertThat(field(vms(ns).withName("good").get(), "spec")).containsEntry("cpu", 2);
  }

  @Test
  void prunesUnknownFieldsAndMergePatchNullRemovesAField() {
    String ns = namespace();
    vms(ns).resource(vm("vm", Map.of("nodeName", "n1", "cpuu", 3))).create();
    assertThat(field(vms(ns).withName("vm").get(), "spec"))
        .containsKey("nodeName")
        .doesNotContainKey("cpuu");

    vms(ns)
        .withName("vm")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"nodeName\": null}}");
    assertThat(field(vms(ns).withName("vm").get(), "spec")).doesNotContainKey("nodeName");
  }

  @Test
  void finalizersHoldDeletionUntilRemoved() {
    String ns = namespace();
    GenericKubernetesResource template = vm("vm", Map.of());
    template.getMetadata().setFinalizers(List.of("era.dev/cleanup"));
    vms(ns).resource(template).create();

    vms(ns).withName("vm").delete();
    GenericKubernetesResource terminating = vms(ns).withName("vm").get();
    assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();

    vms(ns)
        .withName("vm")
        .edit(
            r -> {
              r.getMetadata().setFinalizers(List.of());
              return r;
            });
    assertThat(vms(ns).withName("vm").get()).isNull();
  }

  @Test
  void savedStateSurvivesARestart(@TempDir Path dir) throws IOException {
    String ns = namespace();
    GenericKubernetesResource template = vm("kept", Map.of("cpu", 3));
    template.getMetadata().setFinalizers(List.of("era.dev/cleanup"));
    template.getMetadata().setLabels(Map.of(NODE_LABEL, "n1"));
    GenericKubernetesResource vm = vms(ns).resource(template).create();
    vms(ns)
        .withName("kept")
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\": {\"phase\": \"Running\"}}");
    client
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cm")
                .endMetadata()
                .addToData("k", "v")
                .build())
        .create();
    client
        .genericKubernetesResources(NODES)
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("era.dev/v1alpha1")
                .withKind("EraNode")
                .withNewMetadata()
                .withName("local")
                .endMetadata()
                .build())
        .create();
    String crdUid =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("eravms.era.dev")
            .get()
            .getMetadata()
            .getUid();
    Path state = dir.resolve("state/api.json");
    server.save(state);

    try (EmbeddedApiServer restarted = new EmbeddedApiServer()) {
      restarted.restore(state);
      restarted.start(0);
      KubernetesClient again = restarted.client();
      GenericKubernetesResource restored =
          again.genericKubernetesResources(VMS).inNamespace(ns).withName("kept").get();
      assertThat(restored.getMetadata().getUid()).isEqualTo(vm.getMetadata().getUid());
      assertThat(restored.getMetadata().getCreationTimestamp())
          .isEqualTo(vm.getMetadata().getCreationTimestamp());
      assertThat(restored.getMetadata().getFinalizers()).containsExactly("era.dev/cleanup");
      assertThat(restored.getMetadata().getLabels()).containsEntry(NODE_LABEL, "n1");
      assertThat(field(restored, "status")).containsEntry("phase", "Running");
      assertThat(field(restored, "spec")).containsEntry("cpu", 3);
      assertThat(
              again
                  .genericKubernetesResources(VMS)
                  .inNamespace(ns)
                  .withLabel(NODE_LABEL, "n1")
                  .list()
                  .getItems())
          .hasSize(1);
      assertThat(again.configMaps().inNamespace(ns).withName("cm").get().getData())
          .containsEntry("k", "v");
      assertThat(again.genericKubernetesResources(NODES).withName("local").get()).isNotNull();
      assertThat(again.namespaces().list().getItems())
          .extracting(n -> n.getMetadata().getName())
          .contains("default");

      assertThat(
              again
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName("eravms.era.dev")
                  .get()
                  .getMetadata()
                  .getUid())
          .as("the CRD restored, then updated")
          .isEqualTo(crdUid);
      assertThatThrownBy(
              () ->
                  again
                      .genericKubernetesResources(VMS)
                      .inNamespace(ns)
                      .resource(vm("bad", Map.of("cpu", 0)))
                      .create())
          .as("the CRDs are served and enforced")
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
      GenericKubernetesResource fresh =
          again
              .genericKubernetesResources(VMS)
              .inNamespace(ns)
              .resource(vm("fresh", Map.of()))
              .create();
      assertThat(fresh.getMetadata().getUid()).isNotEqualTo(vm.getMetadata().getUid());
      assertThatThrownBy(() -> restarted.restore(state)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void restoreRefusesAFileThatIsNotSavedState(@TempDir Path dir) throws IOException {
    Path notState = Files.writeString(dir.resolve("x.json"), "{\"kind\": \"List\"}");
    try (EmbeddedApiServer other = new EmbeddedApiServer()) {
      assertThatThrownBy(() -> other.restore(notState))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("not a saved state");
    }
  }

  @Test
  void theKubeconfigLeadsClientsToTheServer(@TempDir Path dir) throws IOException {
    Path kubeconfig = dir.resolve("nested/kubeconfig");
    server.writeKubeconfig(kubeconfig);
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    assertThat(config.getMasterUrl()).startsWith(server.url());
    try (KubernetesClient fromFile = new KubernetesClientBuilder().withConfig(config).build()) {
      Namespace def = fromFile.namespaces().withName("default").get();
      assertThat(def).isNotNull();
      assertThat(fromFile.getNamespace()).isEqualTo("default");
    }
  }

  @Test
  void servesDiscoveryOpenApiAndTablesOverHttps() throws Exception {
    vms("tables").resource(vm("vm", Map.of("language", "python"))).createOr(r -> r.update());
    HttpClient http = Https.client(server);

    HttpResponse<String> groups =
        get(
            http,
            "/apis",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
    assertThat(groups.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(Json.read(groups.body()).path("kind").asText()).isEqualTo("APIGroupList");

    assertThat(
            Json.read(get(http, "/apis/era.dev/v1alpha1", "application/json").body())
                .path("resources")
                .findValuesAsText("name"))
        .contains("eravms", "eravms/status", "eranodes");
    assertThat(
            Json.read(get(http, "/openapi/v3", "application/json").body())
                .path("paths")
                .has("apis/era.dev/v1alpha1"))
        .isTrue();

    var table =
        Json.read(
            get(
                    http,
                    "/apis/era.dev/v1alpha1/namespaces/tables/eravms",
                    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
                .body());
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("rows").get(0).path("cells").get(0).asText()).isEqualTo("vm");

    assertThat(get(http, "/apis/nope.example.com/v1", "application/json").statusCode())
        .isEqualTo(404);
    HttpResponse<String> missing =
        get(http, "/apis/era.dev/v1alpha1/namespaces/tables/eravms/nope", "application/json");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(Json.read(missing.body()).path("message").asText())
        .isEqualTo("eravms.era.dev \"nope\" not found");
  }

  @Test
  void setBasedSelectorsSelectOnListWatchAndCollectionDelete() {
    String ns = namespace();
    List<String> watched = new CopyOnWriteArrayList<>();
    try (Watch ignored =
        vms(ns)
            .withLabelIn("team", "a", "b")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, GenericKubernetesResource resource) {
                    watched.add(action + " " + resource.getMetadata().getName());
                  }

                  @Override
                  public void onClose(WatcherException cause) {
                    // The test closes the watch.
                  }
                })) {
      for (String team : List.of("a", "b", "c")) {
        GenericKubernetesResource vm = vm("vm-" + team, Map.of());
        vm.getMetadata().setLabels(Map.of("team", team));
        vms(ns).resource(vm).create();
      }
      vms(ns).resource(vm("unlabelled", Map.of())).create();
      assertThat(vms(ns).withLabelIn("team", "a", "b").list().getItems())
          .extracting(r -> r.getMetadata().getName())
          .containsExactlyInAnyOrder("vm-a", "vm-b");
      assertThat(vms(ns).withLabelNotIn("team", "a", "b").list().getItems())
          .extracting(r -> r.getMetadata().getName())
          .containsExactlyInAnyOrder("vm-c", "unlabelled");
      assertThat(vms(ns).withField("metadata.name", "vm-c").list().getItems()).hasSize(1);

      vms(ns)
          .withName("vm-b")
          .edit(
              r -> {
                r.getMetadata().setLabels(Map.of("team", "c"));
                return r;
              });
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(watched).containsExactly("ADDED vm-a", "ADDED vm-b", "DELETED vm-b"));

      vms(ns).withLabelIn("team", "c").delete();
      assertThat(vms(ns).list().getItems())
          .extracting(r -> r.getMetadata().getName())
          .containsExactlyInAnyOrder("vm-a", "unlabelled");
    }
  }

  @Test
  void refusesSelectorsItCannotEvaluate() {
    String ns = namespace();
    vms(ns).resource(vm("vm", Map.of())).create();
    assertThatThrownBy(() -> vms(ns).withLabel("team in (a", null).list())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(400));
    assertThatThrownBy(() -> vms(ns).withField("spec.cpu", "1").delete())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo("field label not supported: spec.cpu");
            });
    assertThat(vms(ns).withName("vm").get()).as("nothing deleted").isNotNull();
  }

  @Test
  void aDryRunAnswersAsTheWriteWouldAndStoresNothing() {
    String ns = namespace();
    GenericKubernetesResource stored = vms(ns).resource(vm("vm", Map.of("cpu", 1))).create();
    List<String> events = new CopyOnWriteArrayList<>();
    try (Watch ignored =
        vms(ns)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, GenericKubernetesResource resource) {
                    events.add(
                        action
                            + " "
                            + resource.getMetadata().getName()
                            + " "
                            + resource.getMetadata().getResourceVersion());
                  }

                  @Override
                  public void onClose(WatcherException cause) {
                    // The test closes the watch.
                  }
                })) {
      await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);

      GenericKubernetesResource created =
          vms(ns).resource(vm("new", Map.of("language", "node"))).dryRun().create();
      assertThat(created.getMetadata().getUid()).isNotEmpty();
      assertThat(created.getMetadata().getResourceVersion())
          .as("a dry run uses up no resourceVersion")
          .isNull();
      assertThat(field(created, "spec")).as("defaulted").containsEntry("memory", "256Mi");
      assertThat(vms(ns).withName("new").get()).isNull();
      assertThatThrownBy(() -> vms(ns).resource(vm("bad", Map.of("cpu", 0))).dryRun().create())
          .as("validated")
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

      GenericKubernetesResource patched =
          vms(ns)
              .withName("vm")
              .dryRun()
              .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"cpu\": 2}}");
      assertThat(field(patched, "spec")).containsEntry("cpu", 2);
      assertThat(patched.getMetadata().getGeneration()).isEqualTo(2L);
      assertThat(patched.getMetadata().getResourceVersion())
          .isEqualTo(stored.getMetadata().getResourceVersion());

      vms(ns).withName("vm").dryRun().delete();
      GenericKubernetesResource after = vms(ns).withName("vm").get();
      assertThat(field(after, "spec")).containsEntry("cpu", 1);
      assertThat(after.getMetadata().getResourceVersion())
          .isEqualTo(stored.getMetadata().getResourceVersion());

      vms(ns)
          .withName("vm")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"cpu\": 3}}");
      await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
      assertThat(events)
          .as("only the real writes")
          .allMatch(e -> e.startsWith("ADDED vm ") || e.startsWith("MODIFIED vm "));
    }
  }

  @Test
  void serverSideApplyTracksOwnersAndRefusesConflictsUnlessForced() {
    String ns = namespace();
    GenericKubernetesResource applied =
        vms(ns)
            .resource(vm("vm", Map.of("cpu", 2, "language", "node")))
            .fieldManager("flux")
            .serverSideApply();
    assertThat(applied.getMetadata().getManagedFields())
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.getManager()).isEqualTo("flux");
              assertThat(entry.getOperation()).isEqualTo("Apply");
              assertThat(entry.getFieldsType()).isEqualTo("FieldsV1");
            });
    assertThat(field(applied, "spec")).containsEntry("memory", "256Mi");

    assertThatThrownBy(
            () ->
                vms(ns)
                    .resource(vm("vm", Map.of("cpu", 4)))
                    .fieldManager("someone")
                    .serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo("Apply failed with 1 conflict: conflict with \"flux\": .spec.cpu");
            });
    GenericKubernetesResource forced =
        vms(ns)
            .resource(vm("vm", Map.of("cpu", 4)))
            .fieldManager("someone")
            .forceConflicts()
            .serverSideApply();
    assertThat(field(forced, "spec")).containsEntry("cpu", 4).containsEntry("language", "node");

    GenericKubernetesResource status =
        vms(ns)
            .withName("vm")
            .subresource("status")
            .patch(
                new PatchContext.Builder()
                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                    .withFieldManager("agent")
                    .build(),
                "{\"apiVersion\": \"era.dev/v1alpha1\", \"kind\": \"EraVM\", \"status\": {\"phase\": \"Running\"}}");
    assertThat(field(status, "status")).containsEntry("phase", "Running");
    assertThat(status.getMetadata().getManagedFields())
        .anySatisfy(
            entry -> {
              assertThat(entry.getManager()).isEqualTo("agent");
              assertThat(entry.getSubresource()).isEqualTo("status");
            });

    client
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cm")
                .endMetadata()
                .addToData("a", "1")
                .addToData("b", "2")
                .build())
        .fieldManager("flux")
        .serverSideApply();
    client
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cm")
                .endMetadata()
                .addToData("a", "1")
                .build())
        .fieldManager("flux")
        .serverSideApply();
    assertThat(client.configMaps().inNamespace(ns).withName("cm").get().getData())
        .as("what the applier no longer applies goes")
        .isEqualTo(Map.of("a", "1"));
  }

  @Test
  void listsEventsOfOneObjectByFieldSelector() {
    String ns = namespace();
    for (String name : List.of("vm", "other")) {
      client
          .v1()
          .events()
          .inNamespace(ns)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName("e-")
                  .endMetadata()
                  .withType("Warning")
                  .withReason("Invalid")
                  .withNewInvolvedObject()
                  .withKind("EraVM")
                  .withName(name)
                  .withNamespace(ns)
                  .endInvolvedObject()
                  .build())
          .create();
    }
    assertThat(
            client
                .v1()
                .events()
                .inNamespace(ns)
                .withField("involvedObject.name", "vm")
                .list()
                .getItems())
        .extracting(e -> e.getInvolvedObject().getName())
        .containsExactly("vm");
    assertThat(
            client
                .v1()
                .events()
                .inNamespace(ns)
                .withoutField("involvedObject.name", "vm")
                .list()
                .getItems())
        .extracting(e -> e.getInvolvedObject().getName())
        .containsExactly("other");
  }

  @Test
  void servesACrdAddedLaterUntilItIsDeleted() {
    var crds = client.apiextensions().v1().customResourceDefinitions();
    assertThat(crds.withName("eravms.era.dev").get().getStatus().getConditions())
        .anySatisfy(
            c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Established=True"));

    crds.resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName("widgets.example.com")
                .endMetadata()
                .withNewSpec()
                .withGroup("example.com")
                .withScope("Namespaced")
                .withNewNames()
                .withKind("Widget")
                .withPlural("widgets")
                .endNames()
                .addNewVersion()
                .withName("v1")
                .withServed(true)
                .withStorage(true)
                .withNewSchema()
                .withNewOpenAPIV3Schema()
                .withType("object")
                .addToProperties(
                    "size",
                    new JSONSchemaPropsBuilder().withType("integer").withMaximum(3.0).build())
                .endOpenAPIV3Schema()
                .endSchema()
                .endVersion()
                .endSpec()
                .build())
        .create();
    ResourceDefinitionContext widgets =
        new ResourceDefinitionContext.Builder()
            .withGroup("example.com")
            .withVersion("v1")
            .withKind("Widget")
            .withPlural("widgets")
            .withNamespaced(true)
            .build();
    assertThat(client.getApiResources("example.com/v1").getResources())
        .extracting(r -> r.getName())
        .contains("widgets");
    GenericKubernetesResource widget =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("example.com/v1")
            .withKind("Widget")
            .withNewMetadata()
            .withName("w")
            .endMetadata()
            .withAdditionalProperties(Map.of("size", 9))
            .build();
    assertThatThrownBy(
            () ->
                client
                    .genericKubernetesResources(widgets)
                    .inNamespace("default")
                    .resource(widget)
                    .create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

    crds.withName("widgets.example.com").delete();
    assertThat(client.getApiGroups().getGroups())
        .extracting(g -> g.getName())
        .doesNotContain("example.com");
  }

  @Test
  void refusesACrdItCouldNotServe() {
    var crd =
        new CustomResourceDefinitionBuilder(Crds.load().get(0))
            .editMetadata()
            .withName("wrong.era.dev")
            .endMetadata()
            .build();
    assertThatThrownBy(
            () -> client.apiextensions().v1().customResourceDefinitions().resource(crd).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains("metadata.name must be");
            });
    var badColumn =
        new CustomResourceDefinitionBuilder(Crds.load().get(0))
            .editSpec()
            .editFirstVersion()
            .addNewAdditionalPrinterColumn()
            .withName("Broken")
            .withType("string")
            .withJsonPath(".status[?(@.x")
            .endAdditionalPrinterColumn()
            .endVersion()
            .endSpec()
            .build();
    assertThatThrownBy(
            () ->
                client
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .resource(badColumn)
                    .update())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
  }

  @Test
  void stopEndsWatchesAndReleasesThreadsAndPort() throws Exception {
    Set<Thread> threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
    EmbeddedApiServer other = new EmbeddedApiServer();
    other.start(0);
    int port = other.port();
    other
        .client()
        .namespaces()
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Namespace resource) {
                // Only the connection matters here.
              }

              @Override
              public void onClose(WatcherException cause) {
                // Expected when the server stops.
              }
            });
    other.stop();
    other.stop();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(threadsSince(threadsBefore)).isEmpty());
    try (ServerSocket socket =
        new ServerSocket(port, 1, java.net.InetAddress.getByName(EmbeddedApiServer.HOST))) {
      assertThat(socket.getLocalPort()).isEqualTo(port);
    }
    assertThatThrownBy(other::client)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopped");
  }

  @Test
  void aBusyPortFailsClearly() {
    try (EmbeddedApiServer other = new EmbeddedApiServer()) {
      assertThatThrownBy(() -> other.start(server.port()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + server.port());
    }
  }

  /**
   * Names of live threads started since {@code before}, less the caller (Awaitility's) and the
   * process-wide pools of the JDK, Netty and fabric8, which every client shares and which end on
   * their own after a quiet period.
   */
  private static List<String> threadsSince(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t) && t != Thread.currentThread())
        .map(Thread::getName)
        .filter(
            name ->
                Stream.of(
                        "ForkJoinPool.commonPool",
                        "globalEventExecutor",
                        "CachedSingleThreadScheduler")
                    .noneMatch(name::startsWith))
        .toList();
  }

  private static HttpResponse<String> get(HttpClient http, String path, String accept)
      throws Exception {
    return http.send(
        Https.as(server, EmbeddedApiServer.ADMIN_USER, path).header("Accept", accept).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
