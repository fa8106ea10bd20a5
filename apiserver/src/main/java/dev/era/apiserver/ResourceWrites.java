package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.HttpUrl;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonDiff;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes to resources: create, update, patch, server-side apply and delete, each computed here in
 * full and handed to the CRUD store only to be kept (so that a dry run can stop short of that).
 * Every write prunes, defaults and validates custom resources against their schema, keeps the
 * fields only the server sets, counts generation and resourceVersion as the API server does, and
 * records who owns which fields in {@code metadata.managedFields}.
 */
final class ResourceWrites {
  private static final String STATUS = "status";

  private final KubernetesCrudDispatcher store;
  private final Clock clock;
  private final Map<ServedResource, SchemaAdmission> admissions = new ConcurrentHashMap<>();
  private final Map<ServedResource, FieldShape> shapes = new ConcurrentHashMap<>();

  ResourceWrites(KubernetesCrudDispatcher store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** One write, with what every step of it needs. */
  private record Write(
      RecordedRequest request,
      HttpUrl url,
      ResourcePath path,
      Optional<ServedResource> served,
      boolean dryRun) {
    String body() {
      return request.getBody() == null
          ? ""
          : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
    }

    /** The object a create or update sends, in JSON or protobuf. */
    ObjectNode object() {
      return ProtobufBodies.isProtobuf(request.getHeader("Content-Type"))
          ? ProtobufBodies.read(request.getBody().getBytes())
          : Json.readObject(body());
    }

    ManagedFields.Manager updater() {
      return new ManagedFields.Manager(
          ManagedFields.managerName(
              url.queryParameter("fieldManager"), request.getHeader("User-Agent")),
          ManagedFields.UPDATE,
          path.apiVersion(),
          path.subresource());
    }

    boolean hasStatusSubresource() {
      return served.map(ServedResource::statusSubresource).orElse(false);
    }
  }

  MockResponse handle(
      RecordedRequest request,
      HttpUrl url,
      ResourcePath path,
      Optional<ServedResource> served,
      boolean dryRun) {
    Write w = new Write(request, url, path, served, dryRun);
    return switch (request.method()) {
      case POST -> create(w, w.object());
      case PUT -> replace(w, w.object());
      case PATCH ->
          ServerSideApply.isApply(request.getHeader("Content-Type")) ? apply(w) : patch(w);
      case DELETE -> delete(w);
      default ->
          throw ApiException.methodNotAllowed(
              request.getMethod() + " is not supported on " + url.encodedPath());
    };
  }

  /** Forgets what it derived from the CRDs; call when they change. */
  void forgetSchemas() {
    admissions.clear();
    shapes.clear();
  }

  private MockResponse create(Write w, ObjectNode object) {
    if (!w.path().isCollection() || w.path().subresource() != null) {
      throw ApiException.methodNotAllowed(
          "POST is only allowed on a collection, not on " + w.url().encodedPath());
    }
    ResourcePath item = prepareNew(w, w.path(), object);
    List<String> warnings = admit(w, object);
    ManagedFields managed = ManagedFields.of(object);
    managed.update(null, object, w.updater(), shape(w), ignoredFields(w), now());
    managed.writeTo(object);
    return storeNew(w, item, object, warnings);
  }

  /**
   * A PUT. For custom resources and CRDs it must name the resourceVersion it replaces: their
   * strategies allow no unconditional update, so the real server refuses one without it (after
   * finding the object: a replace of a missing one is 404 Not Found, which kubectl replace meets).
   */
  private MockResponse replace(Write w, ObjectNode body) {
    Map.Entry<AttributeSet, String> entry = stored(w.path());
    boolean conditionalOnly =
        w.served().map(ServedResource::isCustom).orElse(false)
            || CustomResourceDefinitions.isCrdPath(w.path());
    if (conditionalOnly && resourceVersion(body).isEmpty()) {
      throw ApiException.invalid(
          w.served().orElseThrow(),
          w.path().name(),
          List.of(
              new FieldError(
                  "metadata.resourceVersion",
                  "FieldValueInvalid",
                  "Invalid value: 0x0: must be specified for an update")));
    }
    return update(w, entry, Json.readObject(entry.getValue()), body);
  }

  /**
   * Writes {@code body} over {@code current}, the stored object it was read against (each lookup
   * scans the whole store, so it is read once per request).
   */
  private MockResponse update(
      Write w, Map.Entry<AttributeSet, String> entry, ObjectNode current, ObjectNode body) {
    checkResourceVersion(w.path(), current, body);
    ObjectNode candidate = candidate(w, current, body);
    List<String> warnings = admit(w, candidate);
    // A client may rewrite managedFields on the main resource (an empty entry clears them), as on a
    // real server.
    ManagedFields managed =
        ManagedFields.of(
            ManagedFields.isSet(body) && w.path().subresource() == null ? body : current);
    managed.update(current, candidate, w.updater(), shape(w), ignoredFields(w), now());
    managed.writeTo(candidate);
    return storeUpdate(w, entry, current, candidate, warnings);
  }

  private MockResponse patch(Write w) {
    ServerSideApply.checkNoForce(w.url());
    Map.Entry<AttributeSet, String> entry = stored(w.path());
    ObjectNode current = Json.readObject(entry.getValue());
    JsonNode patched =
        Patches.apply(
            current,
            w.request().getHeader("Content-Type"),
            Json.read(w.body()),
            w.served().map(ServedResource::isCustom).orElse(false));
    if (!patched.isObject()) {
      throw ApiException.unprocessable("the patch does not leave an object");
    }
    return update(w, entry, current, (ObjectNode) patched);
  }

  /**
   * Server-side apply: merges the configuration into the object (creating it if it does not exist)
   * for the field manager, which then owns exactly what it applied.
   */
  private MockResponse apply(Write w) {
    ResourcePath path = w.path();
    if (path.isCollection()) {
      throw ApiException.methodNotAllowed("apply needs an object name: " + path.toPath());
    }
    String name = ServerSideApply.fieldManager(w.url());
    ManagedFields.Manager applier =
        new ManagedFields.Manager(name, ManagedFields.APPLY, path.apiVersion(), path.subresource());
    ObjectNode config = ServerSideApply.config(w.body(), path, w.served().orElse(null));
    List<String> warnings = new ArrayList<>(pruneUnknownFields(w, config));
    boolean force = ServerSideApply.force(w.url());
    Map.Entry<AttributeSet, String> entry = store.findResource(store.getKey(path.main().toPath()));
    if (entry == null) {
      if (path.subresource() != null) {
        throw ApiException.objectNotFound(path);
      }
      config.withObjectProperty("metadata").put("name", path.name());
      ResourcePath item = prepareNew(w, path.collection(), config);
      ManagedFields managed = ManagedFields.of(config);
      ObjectNode created =
          (ObjectNode)
              managed.apply(null, config, applier, force, shape(w), ignoredFields(w), now());
      managed.writeTo(created);
      warnings.addAll(admit(w, created));
      return storeNew(w, item, created, warnings);
    }
    ObjectNode current = Json.readObject(entry.getValue());
    ManagedFields managed = ManagedFields.of(current);
    ObjectNode merged =
        (ObjectNode)
            managed.apply(current, config, applier, force, shape(w), ignoredFields(w), now());
    ServerSideApply.keepLastAppliedInStep(name, current, merged, config);
    ObjectNode candidate = candidate(w, current, merged);
    managed.writeTo(candidate);
    warnings.addAll(admit(w, candidate));
    return storeUpdate(w, entry, current, candidate, warnings);
  }

  /**
   * Deletes one object, or those of a collection that the selectors select: an object without
   * finalizers goes at once, one with finalizers is marked with a deletionTimestamp and stays until
   * they are removed. Answers with the object(s) as deleted or marked.
   */
  private MockResponse delete(Write w) {
    ResourcePath path = w.path();
    if (!path.isCollection()) {
      Map.Entry<AttributeSet, String> entry = stored(path);
      checkPreconditions(path, Json.readObject(entry.getValue()), w.body());
      return ApiDispatcher.json(200, deleteOne(w, path, entry));
    }
    Selection selection = Selection.of(w.url(), path);
    ObjectNode list = Json.readObject(store.handleGet(path.toPath()).getBody().readUtf8());
    JsonNode items = list.remove("items");
    ArrayNode deleted = list.putArray("items");
    for (JsonNode item : items) {
      if (selection.matches(item)) {
        JsonNode metadata = item.path("metadata");
        ResourcePath itemPath =
            new ResourcePath(
                path.group(),
                path.version(),
                metadata.path("namespace").asText(null),
                path.plural(),
                metadata.path("name").asText(),
                null);
        deleted.add(deleteOne(w, itemPath, stored(itemPath)));
      }
    }
    return ApiDispatcher.json(200, list);
  }

  private ObjectNode deleteOne(Write w, ResourcePath path, Map.Entry<AttributeSet, String> entry) {
    ObjectNode object = Json.readObject(entry.getValue());
    ObjectNode metadata = object.withObjectProperty("metadata");
    if (metadata.path("finalizers").isEmpty()) {
      if (!w.dryRun()) {
        store.processEvent(path.toPath(), store.getKey(path.toPath()), entry.getKey(), null, null);
      }
    } else if (!metadata.hasNonNull("deletionTimestamp")) {
      metadata.put("deletionTimestamp", now());
      metadata.put("deletionGracePeriodSeconds", 0);
      if (!w.dryRun()) {
        metadata.put("resourceVersion", String.valueOf(store.requestResourceVersion()));
        store.processEvent(
            path.toPath(), store.getKey(path.toPath()), entry.getKey(), null, Json.write(object));
      }
    }
    return object;
  }

  /** Checks a new object's type, drops what a create may not set, names and places it. */
  private ResourcePath prepareNew(Write w, ResourcePath collection, ObjectNode object) {
    w.served().ifPresent(r -> checkTypeMatches(r, object));
    if (w.hasStatusSubresource()) {
      object.remove(STATUS);
    }
    if (CustomResourceDefinitions.isCrdPath(collection)) {
      CustomResourceDefinitions.checkServable(object);
      CustomResourceDefinitions.establish(object, clock);
    }
    ResourcePath item = NewObject.place(collection, object);
    if (store.findResource(store.getKey(item.toPath())) != null) {
      throw ApiException.alreadyExists(collection, item.name());
    }
    return item;
  }

  /** Gives the new object its server fields and keeps it, unless this is a dry run. */
  private MockResponse storeNew(
      Write w, ResourcePath item, ObjectNode object, List<String> warnings) {
    NewObject.initMetadata(object, clock, w.dryRun() ? null : store.requestResourceVersion());
    if (!w.dryRun()) {
      store.processEvent(
          item.toPath(), store.getKey(item.toPath()), null, null, Json.write(object));
    }
    return withWarnings(ApiDispatcher.json(201, object), warnings);
  }

  /**
   * What an update of {@code current} with {@code body} would store: on /status only the status
   * changes; on the main resource of a kind with a status subresource the status stays.
   */
  private ObjectNode candidate(Write w, ObjectNode current, ObjectNode body) {
    if (w.path().isStatus()) {
      ObjectNode candidate = current.deepCopy();
      setOrRemove(candidate, STATUS, body.get(STATUS));
      return candidate;
    }
    w.served().ifPresent(r -> checkTypeMatches(r, body));
    if (w.hasStatusSubresource()) {
      setOrRemove(body, STATUS, current.get(STATUS));
    }
    if (CustomResourceDefinitions.isCrdPath(w.path())) {
      CustomResourceDefinitions.checkServable(body);
      CustomResourceDefinitions.establish(body, clock);
    }
    return body;
  }

  /**
   * Keeps the update unless this is a dry run or nothing changed (then the resourceVersion stays
   * and watchers hear nothing); an object marked for deletion whose last finalizer goes is deleted.
   */
  private MockResponse storeUpdate(
      Write w,
      Map.Entry<AttributeSet, String> entry,
      ObjectNode current,
      ObjectNode candidate,
      List<String> warnings) {
    ResourcePath path = w.path().main();
    String name = candidate.path("metadata").path("name").asText("");
    ApiException.requireMatch(name, path.name(), "the name of the object", "the name on the URL");
    NewObject.keepServerFields(current, candidate, w.path().isStatus());
    candidate.withObjectProperty("metadata").put("name", path.name());
    if (JsonDiff.asJson(current, candidate).isEmpty()) {
      return withWarnings(ApiDispatcher.json(200, current), warnings);
    }
    boolean deleted =
        candidate.path("metadata").hasNonNull("deletionTimestamp")
            && candidate.path("metadata").path("finalizers").isEmpty();
    if (!w.dryRun()) {
      String newState = null;
      if (!deleted) {
        candidate
            .withObjectProperty("metadata")
            .put("resourceVersion", String.valueOf(store.requestResourceVersion()));
        newState = Json.write(candidate);
      }
      store.processEvent(
          path.toPath(), store.getKey(path.toPath()), entry.getKey(), null, newState);
    }
    return withWarnings(ApiDispatcher.json(200, candidate), warnings);
  }

  /** The stored entry of a named object (its store key and JSON); 404 if there is none. */
  private Map.Entry<AttributeSet, String> stored(ResourcePath path) {
    if (path.isCollection()) {
      throw ApiException.methodNotAllowed("updates need an object name: " + path.toPath());
    }
    Map.Entry<AttributeSet, String> entry = store.findResource(store.getKey(path.main().toPath()));
    if (entry == null) {
      throw ApiException.objectNotFound(path);
    }
    return entry;
  }

  /** An update based on a stale object fails, on the main resource and on /status alike. */
  private static void checkResourceVersion(ResourcePath path, JsonNode current, JsonNode update) {
    String expected = resourceVersion(update);
    if (!expected.isEmpty() && !expected.equals(resourceVersion(current))) {
      throw ApiException.conflict(path);
    }
  }

  /**
   * Checks the uid and resourceVersion that a delete's {@code DeleteOptions} may require of the
   * object.
   */
  private static void checkPreconditions(
      ResourcePath path, JsonNode current, String deleteOptions) {
    JsonNode preconditions =
        deleteOptions.isBlank()
            ? Json.MAPPER.missingNode()
            : Json.read(deleteOptions).path("preconditions");
    String uid = preconditions.path("uid").asText("");
    String version = preconditions.path("resourceVersion").asText("");
    String currentUid = current.path("metadata").path("uid").asText();
    if (!uid.isEmpty() && !uid.equals(currentUid)) {
      throw ApiException.conflict(
          path,
          "Precondition failed: UID in precondition: "
              + uid
              + ", UID in object meta: "
              + currentUid);
    }
    if (!version.isEmpty() && !version.equals(resourceVersion(current))) {
      throw ApiException.conflict(
          path,
          "Precondition failed: ResourceVersion in precondition: "
              + version
              + ", ResourceVersion in object meta: "
              + resourceVersion(current));
    }
  }

  private static String resourceVersion(JsonNode object) {
    return object.path("metadata").path("resourceVersion").asText("");
  }

  /** Prunes, defaults and validates a custom resource; returns the warnings for dropped fields. */
  private List<String> admit(Write w, ObjectNode object) {
    String directive = fieldValidation(w);
    if (w.served().isEmpty() || !w.served().get().isCustom()) {
      defaultBuiltIn(w.path(), object);
      return List.of();
    }
    ServedResource resource = w.served().get();
    SchemaAdmission.Result result = admission(resource).admit(object);
    List<String> warnings = unknownFields(resource, directive, result.unknownFields());
    if (!result.errors().isEmpty()) {
      JsonNode metadata = object.path("metadata");
      throw ApiException.invalid(
          resource,
          metadata.path("name").asText(metadata.path("generateName").asText()),
          result.errors());
    }
    return warnings;
  }

  /**
   * What the API server does to a Secret on every write: {@code stringData} is written into {@code
   * data} (base64, winning over a key of the same name) and never stored; the type defaults to
   * Opaque.
   */
  private static void defaultBuiltIn(ResourcePath path, ObjectNode object) {
    if (!path.group().isEmpty() || !path.plural().equals("secrets")) {
      return;
    }
    JsonNode stringData = object.remove("stringData");
    if (stringData != null && stringData.isObject()) {
      ObjectNode data = object.withObjectProperty("data");
      stringData
          .properties()
          .forEach(
              e ->
                  data.put(
                      e.getKey(),
                      Base64.getEncoder()
                          .encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    }
    if (object.path("type").asText("").isEmpty()) {
      object.put("type", "Opaque");
    }
  }

  /** Drops the undeclared fields of an applied configuration before anyone can own them. */
  private List<String> pruneUnknownFields(Write w, ObjectNode config) {
    String directive = fieldValidation(w);
    if (w.served().isEmpty() || !w.served().get().isCustom()) {
      return List.of();
    }
    return unknownFields(w.served().get(), directive, admission(w.served().get()).prune(config));
  }

  /** Refuses unknown fields under {@code Strict}; the warnings to send under {@code Warn}. */
  private static List<String> unknownFields(
      ServedResource resource, String directive, List<String> fields) {
    List<String> unknown = fields.stream().map(f -> "unknown field \"" + f + "\"").toList();
    if (!unknown.isEmpty() && directive.equals("Strict")) {
      throw ApiException.badRequest(
          resource.kind()
              + " in version \""
              + resource.version()
              + "\" cannot be handled as a "
              + resource.kind()
              + ": strict decoding error: "
              + String.join(", ", unknown));
    }
    return directive.equals("Warn") ? unknown : List.of();
  }

  private static String fieldValidation(Write w) {
    String directive =
        Objects.requireNonNullElse(w.url().queryParameter("fieldValidation"), "Warn");
    if (!List.of("Ignore", "Warn", "Strict").contains(directive)) {
      throw ApiException.badRequest(
          "fieldValidation must be one of Ignore, Warn or Strict, not " + directive);
    }
    return directive;
  }

  private SchemaAdmission admission(ServedResource resource) {
    return admissions.computeIfAbsent(resource, r -> new SchemaAdmission(r.schema()));
  }

  private FieldShape shape(Write w) {
    return w.served()
        .map(r -> shapes.computeIfAbsent(r, FieldShape::of))
        .orElseGet(() -> FieldShape.root(null));
  }

  /**
   * The fields a write cannot change, so nobody owns them through it: spec on /status, status
   * elsewhere.
   */
  private static FieldSet ignoredFields(Write w) {
    if (w.path().isStatus()) {
      return FieldSet.of(List.of(List.of("f:spec")));
    }
    return w.hasStatusSubresource() ? FieldSet.of(List.of(List.of("f:status"))) : new FieldSet();
  }

  private String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static void checkTypeMatches(ServedResource resource, JsonNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    String kind = object.path("kind").asText("");
    ApiException.requireMatch(
        apiVersion,
        resource.groupVersion(),
        "the API version in the data",
        "the expected API version");
    ApiException.requireMatch(kind, resource.kind(), "the kind in the data", "the expected kind");
  }

  private static MockResponse withWarnings(MockResponse response, List<String> warnings) {
    warnings.forEach(w -> response.addHeader("Warning", "299 - " + Json.write(w)));
    return response;
  }

  private static void setOrRemove(ObjectNode object, String field, JsonNode value) {
    if (value == null || value.isNull()) {
      object.remove(field);
    } else {
      object.set(field, value.deepCopy());
    }
  }
}
