package dev.era.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.HttpUrl;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Routes every request: the documents real clients read before they touch a resource (version,
 * discovery, OpenAPI), health checks, then resource requests through {@link ResourceHandler} to the
 * fabric8 CRUD store. Every failure answers with a Kubernetes {@code Status}.
 */
final class ApiDispatcher extends Dispatcher {
  private static final System.Logger LOG = System.getLogger(ApiDispatcher.class.getName());

  /**
   * What {@code kubectl version} shows; the minor version matches the kubectl this is tested with.
   */
  private static final Map<String, String> VERSION =
      Map.of(
          "major",
          "1",
          "minor",
          "32",
          "gitVersion",
          "v1.32.0-era-embedded",
          "gitCommit",
          "",
          "gitTreeState",
          "clean",
          "buildDate",
          "1970-01-01T00:00:00Z",
          "goVersion",
          "",
          "compiler",
          "",
          "platform",
          "linux/amd64");

  private final Discovery discovery;
  private final OpenApiV3 openApi;
  private final ResourceHandler resources;
  private final Supplier<String> serverAddress;

  ApiDispatcher(
      WatchableStore store, ResourceCatalog catalog, Clock clock, Supplier<String> serverAddress) {
    this.discovery = new Discovery(catalog);
    this.openApi = new OpenApiV3(catalog);
    this.resources = new ResourceHandler(store, catalog, clock);
    this.serverAddress = serverAddress;
  }

  ResourceHandler resources() {
    return resources;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    try {
      return withJsonContentType(route(request));
    } catch (ApiException e) {
      return json(e.code(), e.status());
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "embedded API server failed on " + request.getRequestLine(), e);
      return json(500, ApiException.of(500, "InternalError", "internal error: " + e).status());
    }
  }

  /** The request's path and query as a URL; 400 when it is not one. */
  static HttpUrl url(RecordedRequest request) {
    try {
      return HttpUrl.parse("https://" + EmbeddedApiServer.HOST + request.getPath());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("malformed request URL " + request.getPath());
    }
  }

  private MockResponse route(RecordedRequest request) {
    HttpUrl url = url(request);
    String path = url.encodedPath().replaceAll("/+$", "");
    if (request.method() == null) {
      throw ApiException.methodNotAllowed(request.getRequestLine() + " is not supported");
    }
    if (request.method() == HttpMethod.GET) {
      MockResponse document = document(path, request.getHeader("Accept"));
      if (document != null) {
        return document;
      }
    }
    requireReadableBody(request);
    ResourcePath resource =
        ResourcePath.parse(path)
            .orElseThrow(
                () -> ApiException.notFound("the server could not find the requested resource"));
    return resources.handle(request, url, resource);
  }

  /** The non-resource documents, or null when the path is not one. */
  private MockResponse document(String path, String accept) {
    String[] segments = path.substring(path.isEmpty() ? 0 : 1).split("/");
    return switch (path) {
      case "" ->
          json(
              200,
              Map.of(
                  "paths",
                  List.of(
                      "/api",
                      "/api/v1",
                      "/apis",
                      "/healthz",
                      "/livez",
                      "/openapi/v3",
                      "/readyz",
                      "/version")));
      case "/version" -> json(200, VERSION);
      case "/healthz", "/livez", "/readyz" ->
          new MockResponse()
              .setResponseCode(200)
              .setHeader("Content-Type", "text/plain")
              .setBody("ok");
      case "/api" -> json(200, discovery.coreVersions(serverAddress.get()));
      case "/apis" -> json(200, discovery.groups());
      case "/api/v1" -> json(200, discovery.resources("", "v1").orElseThrow());
      case "/openapi/v3" -> json(200, openApi.index());
      case "/openapi/v2" -> emptyOpenApiV2(accept);
      default -> {
        if (segments[0].equals("apis") && segments.length == 2) {
          yield json(
              200,
              discovery
                  .group(segments[1])
                  .orElseThrow(
                      () ->
                          ApiException.notFound(
                              "the server could not find the requested resource")));
        } else if (segments[0].equals("apis") && segments.length == 3) {
          yield json(
              200,
              discovery
                  .resources(segments[1], segments[2])
                  .orElseThrow(
                      () ->
                          ApiException.notFound(
                              "the server could not find the requested resource")));
        } else if (path.startsWith("/openapi/v3/")) {
          ObjectNode doc =
              openApi
                  .document(path.substring("/openapi/v3/".length()))
                  .orElseThrow(() -> ApiException.notFound("no OpenAPI document for " + path));
          yield json(200, doc);
        }
        yield null;
      }
    };
  }

  /**
   * OpenAPI v2 without definitions. Clients from before OpenAPI v3 (kubectl older than 1.27) fetch
   * it, in protobuf, before every apply and cannot apply without it; a document without schemas
   * lets them apply, skipping their own validation (the server validates). Their {@code kubectl
   * explain} finds nothing in it; newer clients read /openapi/v3.
   */
  private static MockResponse emptyOpenApiV2(String accept) {
    if (accept != null && accept.contains("protobuf")) {
      // The empty message: a gnostic openapi_v2.Document with no fields set. Not labelled with the
      // protobuf type the client asked for: its '@' is no valid MIME token, and client-go 1.20
      // fails
      // to parse it ("mime: unexpected content after media subtype"). kube-apiserver serves the
      // document through http.ServeContent, which labels binary data application/octet-stream.
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "application/octet-stream")
          .setBody("");
    }
    return json(
        200,
        Map.of(
            "swagger",
            "2.0",
            "info",
            Map.of("title", "Kubernetes", "version", VERSION.get("gitVersion")),
            "paths",
            Map.of(),
            "definitions",
            Map.of()));
  }

  /**
   * Refuses bodies in a format the server does not read with 415: it reads JSON, protobuf (for
   * {@link ProtobufBodies}' kinds) and the YAML of server-side apply.
   */
  private static void requireReadableBody(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    if (contentType != null
        && request.getBody() != null
        && request.getBody().size() > 0
        && !contentType.toLowerCase(java.util.Locale.ROOT).contains("json")
        && !ServerSideApply.isApply(contentType)
        && !ProtobufBodies.isProtobuf(contentType)) {
      throw ApiException.unsupportedMediaType(
          "the embedded API server reads JSON, protobuf and apply YAML, not " + contentType);
    }
  }

  static MockResponse json(int code, Object body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body instanceof String s ? s : Json.write(body));
  }

  private static MockResponse withJsonContentType(MockResponse response) {
    if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
      response.setHeader("Content-Type", "application/json");
    }
    return response;
  }
}
