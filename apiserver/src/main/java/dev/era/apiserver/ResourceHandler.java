package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.HttpUrl;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Requests for resources. Storage, watches, finalizers, generation and the status-subresource
 * rules of updates are the CRUD mock's; this class adds what it lacks: schema pruning, defaulting
 * and validation on every write, creation with random uids, PATCH computed here (so that the result
 * is validated and merge patch follows RFC 7386), the resourceVersion rules the store lacks (stale
 * status writes, updates that name no version, delete preconditions), typed lists, tables, and the
 * real server's error bodies.
 */
final class ResourceHandler {
  private static final String STATUS = "status";

  private final KubernetesCrudDispatcher store;
  private final ResourceCatalog catalog;
  private final Clock clock;
  /** Writes are read-modify-write here; one at a time keeps them atomic. */
  private final ReentrantLock writes = new ReentrantLock();
  private final Map<ServedResource, SchemaAdmission> admissions = new ConcurrentHashMap<>();
  private final Map<ServedResource, TableConverter> tables = new ConcurrentHashMap<>();
  /** Name and Age, for built-in types and any other type without printer columns. */
  private final TableConverter plainTable;

  ResourceHandler(KubernetesCrudDispatcher store, ResourceCatalog catalog, Clock clock) {
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.plainTable = new TableConverter(List.of(), clock);
  }

  MockResponse handle(RecordedRequest request, HttpUrl url, ResourcePath path) {
    Optional<ServedResource> served = catalog.find(path);
    boolean knownSubresource = path.isStatus() && served.map(ServedResource::statusSubresource).orElse(true);
    if (path.subresource() != null && !knownSubresource) {
      throw ApiException.notFound("the server could not find the requested resource");
    }
    if (request.method() == HttpMethod.GET) {
      return read(request, url, path, served);
    }
    writes.lock();
    try {
      if (url.queryParameter("dryRun") != null) {
        throw ApiException.badRequest("dry run is not supported by the embedded API server");
      }
      MockResponse response = switch (request.method()) {
        case POST -> create(request, url, path, served);
        case PUT -> replace(request, url, path, served);
        case PATCH -> patch(request, url, path, served);
        case DELETE -> delete(request, url, path);
        default -> throw ApiException.methodNotAllowed(request.getMethod() + " is not supported on " + url.encodedPath());
      };
      if (CustomResourceDefinitions.isCrdPath(path) && response.code() < 300) {
        refreshCatalog();
      }
      return response;
    } finally {
      writes.unlock();
    }
  }

  interface IoAction {
    void run() throws IOException;
  }

  /** Runs {@code action} with no write in progress, e.g. to take a consistent copy of the store. */
  void whileWritesPaused(IoAction action) throws IOException {
    writes.lock();
    try {
      action.run();
    } finally {
      writes.unlock();
    }
  }

  /** Rebuilds the catalog from the stored CRDs; call after CRDs change other than through a request. */
  void refreshCatalog() {
    JsonNode list = Json.read(store.handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
        .getBody().readUtf8());
    List<JsonNode> crds = new ArrayList<>();
    list.path("items").forEach(crds::add);
    catalog.useCustomResourceDefinitions(crds);
    admissions.clear();
    tables.clear();
  }

  private MockResponse read(RecordedRequest request, HttpUrl url, ResourcePath path, Optional<ServedResource> served) {
    String accept = request.getHeader("Accept");
    boolean asTable = accept != null && accept.contains("as=Table");
    String includeObject = url.queryParameter("includeObject");
    Selection selection = Selection.of(url, path);
    if (isWatch(url)) {
      // The store watches the whole collection; the selection narrows its events here.
      MockResponse watch = store.handleGet(path.toPath() + "?watch=true");
      if (watch.getWebSocketListener() != null) {
        SelectedWatch selected = new SelectedWatch(selection);
        TableConverter table = tableFor(served);
        UnaryOperator<ObjectNode> rewrite = asTable ? e -> asTableEvent(selected.apply(e), table, includeObject) : selected;
        watch.withWebSocketUpgrade(new RewrittenWatchListener(watch.getWebSocketListener(), rewrite));
      }
      return watch;
    }
    MockResponse stored = store.handleGet(path.toPath());
    if (stored.code() == 404) {
      throw path.isCollection() ? ApiException.notFound("the server could not find the requested resource")
          : ApiException.objectNotFound(path);
    }
    ObjectNode body = Json.readObject(stored.getBody().readUtf8());
    List<JsonNode> objects = new ArrayList<>();
    if (path.isCollection()) {
      served.ifPresent(r -> body.put("apiVersion", r.groupVersion()).put("kind", r.kind() + "List"));
      ArrayNode selected = body.arrayNode();
      body.path("items").forEach(item -> {
        if (selection.matches(item)) {
          selected.add(item);
          objects.add(item);
        }
      });
      body.set("items", selected);
    } else {
      objects.add(body);
    }
    if (asTable) {
      String resourceVersion = body.path("metadata").path("resourceVersion").asText();
      return ApiDispatcher.json(200, tableFor(served).toTable(objects, resourceVersion, includeObject));
    }
    return ApiDispatcher.json(200, body);
  }

  /** A watch event whose object is a one-row table, for {@code kubectl get -w}. */
  private static ObjectNode asTableEvent(ObjectNode event, TableConverter table, String includeObject) {
    if (event == null || !event.path("object").isObject()) {
      return event;
    }
    JsonNode object = event.get("object");
    return event.set("object", table.toTable(List.of(object), object.path("metadata").path("resourceVersion").asText(),
        includeObject));
  }

  private TableConverter tableFor(Optional<ServedResource> served) {
    return served.map(r -> tables.computeIfAbsent(r, s -> new TableConverter(s.printerColumns(), clock)))
        .orElse(plainTable);
  }

  private MockResponse create(RecordedRequest request, HttpUrl url, ResourcePath path, Optional<ServedResource> served) {
    if (!path.isCollection() || path.subresource() != null) {
      throw ApiException.methodNotAllowed("POST is only allowed on a collection, not on " + url.encodedPath());
    }
    ObjectNode object = Json.readObject(request.getBody().readUtf8());
    served.ifPresent(r -> checkTypeMatches(r, object));
    if (served.map(ServedResource::statusSubresource).orElse(false)) {
      object.remove(STATUS);
    }
    if (CustomResourceDefinitions.isCrdPath(path)) {
      CustomResourceDefinitions.checkServable(object);
      CustomResourceDefinitions.establish(object, clock);
    }
    ResourcePath item = NewObject.place(path, object);
    List<String> warnings = admit(served, object, url);
    if (store.findResource(store.getKey(item.toPath())) != null) {
      throw ApiException.alreadyExists(path, item.name());
    }
    NewObject.initMetadata(object, clock, store.requestResourceVersion());
    String created = Json.write(object);
    store.processEvent(item.toPath(), store.getKey(item.toPath()), null, null, created);
    return withWarnings(ApiDispatcher.json(201, created), warnings);
  }

  /**
   * A PUT. For custom resources and CRDs it must name the resourceVersion it replaces: their
   * strategies allow no unconditional update, so the real server refuses one without it.
   */
  private MockResponse replace(RecordedRequest request, HttpUrl url, ResourcePath path,
      Optional<ServedResource> served) {
    ObjectNode body = Json.readObject(request.getBody().readUtf8());
    ObjectNode current = current(path);
    boolean conditionalOnly = served.map(ServedResource::isCustom).orElse(false)
        || CustomResourceDefinitions.isCrdPath(path);
    if (conditionalOnly && resourceVersion(body).isEmpty()) {
      throw ApiException.invalid(served.orElseThrow(), path.name(), List.of(new FieldError(
          "metadata.resourceVersion", "FieldValueInvalid", "Invalid value: 0x0: must be specified for an update")));
    }
    return update(request, url, path, served, current, body);
  }

  private MockResponse patch(RecordedRequest request, HttpUrl url, ResourcePath path, Optional<ServedResource> served) {
    ObjectNode current = current(path);
    JsonNode patched = Patches.apply(current, request.getHeader("Content-Type"),
        Json.read(request.getBody().readUtf8()), served.map(ServedResource::isCustom).orElse(false));
    if (!patched.isObject()) {
      throw ApiException.unprocessable("the patch does not leave an object");
    }
    return update(request, url, path, served, current, (ObjectNode) patched);
  }

  /**
   * Writes {@code body} over {@code current}, the stored object it was read against (each lookup
   * scans the whole store, so it is read once per request).
   */
  private MockResponse update(RecordedRequest request, HttpUrl url, ResourcePath path, Optional<ServedResource> served,
      ObjectNode current, ObjectNode body) {
    checkResourceVersion(path, current, body);
    ObjectNode candidate;
    if (path.isStatus()) {
      candidate = current.deepCopy();
      setOrRemove(candidate, STATUS, body.get(STATUS));
    } else {
      candidate = body;
      served.ifPresent(r -> checkTypeMatches(r, candidate));
      if (served.map(ServedResource::statusSubresource).orElse(false)) {
        setOrRemove(candidate, STATUS, current.get(STATUS));
      }
      if (CustomResourceDefinitions.isCrdPath(path)) {
        CustomResourceDefinitions.checkServable(candidate);
        CustomResourceDefinitions.establish(candidate, clock);
      }
    }
    List<String> warnings = admit(served, candidate, url);
    MockResponse response = store.dispatch(asPut(request, candidate));
    if (response.code() == 200 && (response.getBody() == null || response.getBody().size() == 0)) {
      // The store deleted the object (deletion requested, last finalizer gone); the server answers with its last state.
      response = ApiDispatcher.json(200, candidate);
    }
    return withWarnings(response, warnings);
  }

  /**
   * Deletes one object, or those of a collection that the selectors select: an object without
   * finalizers goes at once, one with finalizers is marked with a deletionTimestamp and stays until
   * they are removed. Answers with the object(s) as deleted or marked.
   */
  private MockResponse delete(RecordedRequest request, HttpUrl url, ResourcePath path) {
    if (!path.isCollection()) {
      checkPreconditions(path, request.getBody() == null ? "" : request.getBody().readUtf8());
      return ApiDispatcher.json(200, deleteOne(path, stored(path)));
    }
    Selection selection = Selection.of(url, path);
    ObjectNode list = Json.readObject(store.handleGet(path.toPath()).getBody().readUtf8());
    JsonNode items = list.remove("items");
    ArrayNode deleted = list.putArray("items");
    for (JsonNode item : items) {
      if (selection.matches(item)) {
        JsonNode metadata = item.path("metadata");
        ResourcePath itemPath = new ResourcePath(path.group(), path.version(), metadata.path("namespace").asText(null),
            path.plural(), metadata.path("name").asText(), null);
        deleted.add(deleteOne(itemPath, stored(itemPath)));
      }
    }
    return ApiDispatcher.json(200, list);
  }

  private ObjectNode deleteOne(ResourcePath path, Map.Entry<AttributeSet, String> entry) {
    ObjectNode object = Json.readObject(entry.getValue());
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    if (metadata.path("finalizers").isEmpty()) {
      store.processEvent(path.toPath(), store.getKey(path.toPath()), entry.getKey(), null, null);
    } else if (!metadata.hasNonNull("deletionTimestamp")) {
      metadata.put("deletionTimestamp", Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
      metadata.put("deletionGracePeriodSeconds", 0);
      metadata.put("resourceVersion", String.valueOf(store.requestResourceVersion()));
      store.processEvent(path.toPath(), store.getKey(path.toPath()), entry.getKey(), null, Json.write(object));
    }
    return object;
  }

  /** The stored entry of a named object (its store key and JSON); 404 if there is none. */
  private Map.Entry<AttributeSet, String> stored(ResourcePath path) {
    ResourcePath main = new ResourcePath(path.group(), path.version(), path.namespace(), path.plural(), path.name(), null);
    Map.Entry<AttributeSet, String> entry = store.findResource(store.getKey(main.toPath()));
    if (entry == null) {
      throw ApiException.objectNotFound(path);
    }
    return entry;
  }

  /** Checks the uid and resourceVersion that a delete's {@code DeleteOptions} may require of the object. */
  private void checkPreconditions(ResourcePath path, String deleteOptions) {
    JsonNode preconditions = deleteOptions.isBlank() ? Json.MAPPER.missingNode()
        : Json.read(deleteOptions).path("preconditions");
    String uid = preconditions.path("uid").asText("");
    String version = preconditions.path("resourceVersion").asText("");
    if (uid.isEmpty() && version.isEmpty()) {
      return;
    }
    ObjectNode current = current(path);
    String currentUid = current.path("metadata").path("uid").asText();
    if (!uid.isEmpty() && !uid.equals(currentUid)) {
      throw ApiException.conflict(path, "Precondition failed: UID in precondition: " + uid
          + ", UID in object meta: " + currentUid);
    }
    if (!version.isEmpty() && !version.equals(resourceVersion(current))) {
      throw ApiException.conflict(path, "Precondition failed: ResourceVersion in precondition: " + version
          + ", ResourceVersion in object meta: " + resourceVersion(current));
    }
  }

  private ObjectNode current(ResourcePath path) {
    if (path.isCollection()) {
      throw ApiException.methodNotAllowed("updates need an object name: " + path.toPath());
    }
    return Json.readObject(stored(path).getValue());
  }

  /**
   * The store checks resourceVersion only on the main resource; a status write based on a stale
   * object must fail the same way, or status writers would overwrite each other unnoticed.
   */
  private static void checkResourceVersion(ResourcePath path, JsonNode current, JsonNode update) {
    String expected = resourceVersion(update);
    if (!expected.isEmpty() && !expected.equals(resourceVersion(current))) {
      throw ApiException.conflict(path);
    }
  }

  private static String resourceVersion(JsonNode object) {
    return object.path("metadata").path("resourceVersion").asText("");
  }

  private List<String> admit(Optional<ServedResource> served, ObjectNode object, HttpUrl url) {
    String directive = Objects.requireNonNullElse(url.queryParameter("fieldValidation"), "Warn");
    if (!List.of("Ignore", "Warn", "Strict").contains(directive)) {
      throw ApiException.badRequest("fieldValidation must be one of Ignore, Warn or Strict, not " + directive);
    }
    if (served.isEmpty() || !served.get().isCustom()) {
      return List.of();
    }
    ServedResource resource = served.get();
    SchemaAdmission.Result result = admissions.computeIfAbsent(resource, r -> new SchemaAdmission(r.schema()))
        .admit(object);
    List<String> unknown = result.unknownFields().stream().map(f -> "unknown field \"" + f + "\"").toList();
    if (!unknown.isEmpty() && directive.equals("Strict")) {
      throw ApiException.badRequest(resource.kind() + " in version \"" + resource.version() + "\" cannot be handled as a "
          + resource.kind() + ": strict decoding error: " + String.join(", ", unknown));
    }
    if (!result.errors().isEmpty()) {
      JsonNode metadata = object.path("metadata");
      throw ApiException.invalid(resource, metadata.path("name").asText(metadata.path("generateName").asText()),
          result.errors());
    }
    return directive.equals("Warn") ? unknown : List.of();
  }

  private static void checkTypeMatches(ServedResource resource, JsonNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    String kind = object.path("kind").asText("");
    if (!apiVersion.isEmpty() && !apiVersion.equals(resource.groupVersion())) {
      throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API"
          + " version (" + resource.groupVersion() + ")");
    }
    if (!kind.isEmpty() && !kind.equals(resource.kind())) {
      throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind ("
          + resource.kind() + ")");
    }
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

  /** Every update reaches the store as a PUT of the full result, which it stores with its own rules. */
  private static RecordedRequest asPut(RecordedRequest request, JsonNode body) {
    return new RecordedRequest(request.getHttpVersion(), HttpMethod.PUT, request.getPath(), request.getHeaders(),
        new Buffer(Json.write(body).getBytes(StandardCharsets.UTF_8)));
  }

  private static boolean isWatch(HttpUrl url) {
    return "true".equals(url.queryParameter("watch")) || "1".equals(url.queryParameter("watch"));
  }
}
