package dev.era.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.HttpUrl;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Requests for resources. Storage is the CRUD mock's, watches {@link WatchableStore}'s; reads are
 * answered here (typed lists, tables, selectors the store cannot evaluate, the real server's error
 * bodies) and writes by {@link ResourceWrites}, one at a time.
 */
final class ResourceHandler {
  private final WatchableStore store;
  private final ResourceCatalog catalog;
  private final Clock clock;
  private final ResourceWrites writer;

  /** Writes are read-modify-write; one at a time keeps them atomic. */
  private final ReentrantLock writes = new ReentrantLock();

  private final Map<ServedResource, TableConverter> tables = new ConcurrentHashMap<>();

  /** Name and Age, for built-in types and any other type without printer columns. */
  private final TableConverter plainTable;

  ResourceHandler(WatchableStore store, ResourceCatalog catalog, Clock clock) {
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.writer = new ResourceWrites(store, clock);
    this.plainTable = new TableConverter(List.of(), clock);
  }

  MockResponse handle(RecordedRequest request, HttpUrl url, ResourcePath path) {
    Optional<ServedResource> served = catalog.find(path);
    boolean knownSubresource =
        path.isStatus() && served.map(ServedResource::statusSubresource).orElse(true);
    if (path.subresource() != null && !knownSubresource) {
      throw ApiException.notFound("the server could not find the requested resource");
    }
    if (request.method() == HttpMethod.GET) {
      return read(request, url, path, served);
    }
    writes.lock();
    try {
      boolean dryRun = DryRun.requested(url, request);
      MockResponse response = writer.handle(request, url, path, served, dryRun);
      if (CustomResourceDefinitions.isCrdPath(path) && response.code() < 300 && !dryRun) {
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

  /**
   * Rebuilds the catalog from the stored CRDs; call after CRDs change other than through a request.
   */
  void refreshCatalog() {
    JsonNode list =
        Json.read(
            store
                .handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
                .getBody()
                .readUtf8());
    List<JsonNode> crds = new ArrayList<>();
    list.path("items").forEach(crds::add);
    catalog.useCustomResourceDefinitions(crds);
    writer.forgetSchemas();
    tables.clear();
  }

  private MockResponse read(
      RecordedRequest request, HttpUrl url, ResourcePath path, Optional<ServedResource> served) {
    String accept = request.getHeader("Accept");
    boolean asTable = accept != null && accept.contains("as=Table");
    String includeObject = url.queryParameter("includeObject");
    Selection selection = Selection.of(url, path);
    if (isWatch(url)) {
      if ("true".equals(url.queryParameter("sendInitialEvents"))) {
        // As a server without the WatchList feature answers: clients then list and watch.
        throw ApiException.unprocessable(
            "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the"
                + " WatchList feature gate is enabled");
      }
      // The store watches the whole collection; the selection narrows its events here.
      MockResponse watch = store.watch(path.toPath(), url.queryParameter("resourceVersion"));
      SelectedWatch selected = new SelectedWatch(selection);
      TableConverter table = tableFor(served);
      UnaryOperator<ObjectNode> rewrite =
          asTable ? e -> asTableEvent(selected.apply(e), table, includeObject) : selected;
      return watch.withWebSocketUpgrade(
          new RewrittenWatchListener(watch.getWebSocketListener(), rewrite));
    }
    MockResponse stored = store.handleGet(path.toPath());
    if (stored.code() == 404) {
      throw path.isCollection()
          ? ApiException.notFound("the server could not find the requested resource")
          : ApiException.objectNotFound(path);
    }
    ObjectNode body = Json.readObject(stored.getBody().readUtf8());
    List<JsonNode> objects = new ArrayList<>();
    if (path.isCollection()) {
      served.ifPresent(
          r -> body.put("apiVersion", r.groupVersion()).put("kind", r.kind() + "List"));
      ArrayNode selected = body.arrayNode();
      body.path("items")
          .forEach(
              item -> {
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
      return ApiDispatcher.json(
          200, tableFor(served).toTable(objects, resourceVersion, includeObject));
    }
    return ApiDispatcher.json(200, body);
  }

  /** A watch event whose object is a one-row table, for {@code kubectl get -w}. */
  private static ObjectNode asTableEvent(
      ObjectNode event, TableConverter table, String includeObject) {
    if (event == null || !event.path("object").isObject()) {
      return event;
    }
    JsonNode object = event.get("object");
    return event.set(
        "object",
        table.toTable(
            List.of(object),
            object.path("metadata").path("resourceVersion").asText(),
            includeObject));
  }

  private TableConverter tableFor(Optional<ServedResource> served) {
    return served
        .map(
            r ->
                tables.computeIfAbsent(
                    r,
                    s ->
                        s.kind().equals("Event") && !s.isCustom()
                            ? TableConverter.of(EventColumns.all(), clock)
                            : new TableConverter(s.printerColumns(), clock)))
        .orElse(plainTable);
  }

  private static boolean isWatch(HttpUrl url) {
    return "true".equals(url.queryParameter("watch")) || "1".equals(url.queryParameter("watch"));
  }
}
