package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManagedFieldsTest {
  private static final FieldShape VM = FieldShape.of(EraCatalog.resource("eravms"));
  private static final FieldSet STATUS = FieldSet.of(List.of(List.of("f:status")));
  private static final String VERSION = "era.dev/v1alpha1";
  private static final ManagedFields.Manager CREATOR = updater("kubectl-create");
  private static final ManagedFields.Manager FLUX = applier("flux");
  private static final ManagedFields.Manager ME = applier("me");

  private static ManagedFields.Manager updater(String name) {
    return new ManagedFields.Manager(name, ManagedFields.UPDATE, VERSION, null);
  }

  private static ManagedFields.Manager applier(String name) {
    return new ManagedFields.Manager(name, ManagedFields.APPLY, VERSION, null);
  }

  private static ObjectNode vm(String spec) {
    return Json.readObject(
        "{\"apiVersion\": \"era.dev/v1alpha1\", \"kind\": \"EraVM\", \"metadata\": {\"name\": \"vm\"},"
            + " \"spec\": "
            + spec
            + "}");
  }

  /**
   * The object after {@code manager} applies {@code config}, with its managed fields written in.
   */
  private static ObjectNode apply(
      ObjectNode live, ObjectNode config, ManagedFields.Manager manager, boolean force) {
    ManagedFields managed = ManagedFields.of(live);
    ObjectNode result =
        (ObjectNode)
            managed.apply(live, config, manager, force, VM, STATUS, "2026-01-01T00:00:00Z");
    managed.writeTo(result);
    return result;
  }

  private static ObjectNode created(String spec) {
    ObjectNode object = vm(spec);
    ManagedFields managed = ManagedFields.of(object);
    managed.update(null, object, CREATOR, VM, STATUS, "2026-01-01T00:00:00Z");
    managed.writeTo(object);
    return object;
  }

  private static JsonNode owned(JsonNode object, ManagedFields.Manager manager) {
    return ManagedFields.of(object).ownedBy(manager).toFieldsV1();
  }

  @Test
  void aCreateOwnsEverythingItSetButTheServersFields() {
    ObjectNode object = created("{\"cpu\": 1, \"language\": \"python\"}");
    JsonNode entry = object.path("metadata").path("managedFields").get(0);
    assertThat(entry.path("manager").asText()).isEqualTo("kubectl-create");
    assertThat(entry.path("operation").asText()).isEqualTo("Update");
    assertThat(entry.path("apiVersion").asText()).isEqualTo(VERSION);
    assertThat(entry.path("fieldsType").asText()).isEqualTo("FieldsV1");
    assertThat(entry.path("fieldsV1"))
        .isEqualTo(Json.read("{\"f:spec\": {\"f:cpu\": {}, \"f:language\": {}}}"));
  }

  @Test
  void applyingAnotherManagersFieldWithANewValueConflicts() {
    ObjectNode live = created("{\"cpu\": 1, \"language\": \"python\"}");
    assertThatThrownBy(() -> apply(live, vm("{\"cpu\": 2}"), FLUX, false))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(409);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Apply failed with 1 conflict: conflict with \"kubectl-create\" using era.dev/v1alpha1: .spec.cpu");
              assertThat(e.status().getDetails().getCauses())
                  .singleElement()
                  .satisfies(
                      c -> {
                        assertThat(c.getReason()).isEqualTo("FieldManagerConflict");
                        assertThat(c.getField()).isEqualTo(".spec.cpu");
                      });
            });
  }

  @Test
  void theSameValueIsSharedAndForceTakesOwnership() {
    ObjectNode live = created("{\"cpu\": 1, \"language\": \"python\"}");
    ObjectNode shared = apply(live, vm("{\"cpu\": 1}"), FLUX, false);
    assertThat(owned(shared, FLUX)).isEqualTo(Json.read("{\"f:spec\": {\"f:cpu\": {}}}"));
    assertThat(owned(shared, CREATOR))
        .as("still a co-owner")
        .isEqualTo(Json.read("{\"f:spec\": {\"f:cpu\": {}, \"f:language\": {}}}"));

    ObjectNode forced = apply(shared, vm("{\"cpu\": 4}"), FLUX, true);
    assertThat(forced.path("spec").path("cpu").asInt()).isEqualTo(4);
    assertThat(owned(forced, CREATOR)).isEqualTo(Json.read("{\"f:spec\": {\"f:language\": {}}}"));
  }

  @Test
  void fieldsAnApplierStopsApplyingGoUnlessSomeoneElseOwnsThem() {
    ObjectNode first =
        apply(
            vm("{}"), vm("{\"cpu\": 2, \"nodeName\": \"n1\", \"language\": \"node\"}"), ME, false);
    ObjectNode shared = apply(first, vm("{\"language\": \"node\"}"), FLUX, false);
    ObjectNode second = apply(shared, vm("{\"cpu\": 2}"), ME, false);
    assertThat(second.path("spec")).isEqualTo(Json.read("{\"cpu\": 2, \"language\": \"node\"}"));
    assertThat(owned(second, ME)).isEqualTo(Json.read("{\"f:spec\": {\"f:cpu\": {}}}"));
  }

  @Test
  void anUpdateTakesTheFieldsItChangesFromTheApplier() {
    ObjectNode applied = apply(vm("{}"), vm("{\"cpu\": 2, \"language\": \"node\"}"), ME, false);
    ObjectNode edited = applied.deepCopy();
    ((ObjectNode) edited.get("spec")).put("cpu", 3);
    ManagedFields managed = ManagedFields.of(applied);
    managed.update(applied, edited, updater("kubectl-edit"), VM, STATUS, "2026-01-01T00:01:00Z");
    managed.writeTo(edited);
    assertThat(owned(edited, ME)).isEqualTo(Json.read("{\"f:spec\": {\"f:language\": {}}}"));
    assertThat(owned(edited, updater("kubectl-edit")))
        .isEqualTo(Json.read("{\"f:spec\": {\"f:cpu\": {}}}"));
    assertThatThrownBy(() -> apply(edited, vm("{\"cpu\": 2, \"language\": \"node\"}"), ME, false))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("conflict with \"kubectl-edit\" using era.dev/v1alpha1: .spec.cpu"));
  }

  @Test
  void statusIsNobodysThroughTheMainResource() {
    ObjectNode config = vm("{\"cpu\": 2}");
    config.putObject("status").put("phase", "Running");
    ObjectNode applied = apply(vm("{}"), config, ME, false);
    assertThat(owned(applied, ME)).isEqualTo(Json.read("{\"f:spec\": {\"f:cpu\": {}}}"));
  }

  @Test
  void kubectlTakesOverWhatItsClientSideApplySetWithoutConflict() {
    ObjectNode live = vm("{\"cpu\": 2, \"language\": \"node\"}");
    ((ObjectNode) live.get("metadata"))
        .putObject("annotations")
        .put(ManagedFields.LAST_APPLIED, Json.write(vm("{\"cpu\": 2, \"language\": \"node\"}")));
    ManagedFields managed = ManagedFields.of(live);
    managed.update(
        null, live, updater("kubectl-client-side-apply"), VM, STATUS, "2026-01-01T00:00:00Z");
    managed.writeTo(live);

    ObjectNode upgraded =
        apply(live, vm("{\"cpu\": 4, \"language\": \"node\"}"), applier("kubectl"), false);
    assertThat(upgraded.path("spec").path("cpu").asInt()).isEqualTo(4);
    assertThatThrownBy(() -> apply(live, vm("{\"cpu\": 4}"), applier("someone-else"), false))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void anEmptyEntryClearsAndEntriesAreWrittenAppliersFirst() {
    assertThat(
            ManagedFields.of(Json.read("{\"metadata\": {\"managedFields\": [{}]}}"))
                .ownedBy(CREATOR)
                .isEmpty())
        .isTrue();
    ObjectNode applied = apply(created("{\"language\": \"node\"}"), vm("{\"cpu\": 2}"), ME, false);
    assertThat(applied.path("metadata").path("managedFields").findValuesAsText("operation"))
        .containsExactly("Apply", "Update");
  }

  @Test
  void managerNamesComeFromTheFieldManagerOrTheUserAgent() {
    assertThat(ManagedFields.managerName("flux", "kubectl/v1.32.0")).isEqualTo("flux");
    assertThat(ManagedFields.managerName(null, "fabric8-kubernetes-client/7.5.2"))
        .isEqualTo("fabric8-kubernetes-client");
  }
}
