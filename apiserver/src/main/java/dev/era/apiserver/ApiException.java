package dev.era.apiserver;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request the API server refuses, carrying the {@code Status} a real API server would answer
 * with, so that kubectl and fabric8 print their usual messages.
 */
final class ApiException extends RuntimeException {
  private final transient Status status;

  private ApiException(Status status) {
    super(status.getMessage());
    this.status = status;
  }

  Status status() {
    return status;
  }

  int code() {
    return status.getCode();
  }

  static ApiException badRequest(String message) {
    return of(400, "BadRequest", message);
  }

  /**
   * Fails with 400 when the body sets a field ({@code given}, empty when absent) to another value
   * than the request implies, worded as kube-apiserver words it.
   */
  static void requireMatch(String given, String expected, String givenIn, String expectedIn) {
    if (!given.isEmpty() && !given.equals(expected)) {
      throw badRequest(
          givenIn + " (" + given + ") does not match " + expectedIn + " (" + expected + ")");
    }
  }

  /** What kube-apiserver answers a request without valid credentials, word for word. */
  static ApiException unauthorized() {
    return of(401, "Unauthorized", "Unauthorized");
  }

  /**
   * A request RBAC does not allow, worded like kube-apiserver: {@code eravms.era.dev "vm" is
   * forbidden: User "u" cannot delete resource "eravms" in API group "era.dev" in the namespace
   * "ns"}.
   */
  static ApiException forbidden(RequestAttributes request) {
    String user = "User \"" + request.user().name() + "\" cannot " + request.verb();
    if (!request.resourceRequest()) {
      return of(403, "Forbidden", "forbidden: " + user + " path \"" + request.path() + "\"");
    }
    String resource =
        request.subresource().isEmpty()
            ? request.resource()
            : request.resource() + "/" + request.subresource();
    String scope =
        request.namespace().isEmpty()
            ? " at the cluster scope"
            : " in the namespace \"" + request.namespace() + "\"";
    String groupResource =
        request.apiGroup().isEmpty()
            ? request.resource()
            : request.resource() + "." + request.apiGroup();
    String object =
        request.name().isEmpty() ? groupResource : groupResource + " \"" + request.name() + "\"";
    Status status =
        failure(
            403,
            "Forbidden",
            object
                + " is forbidden: "
                + user
                + " resource \""
                + resource
                + "\" in API group \""
                + request.apiGroup()
                + "\""
                + scope);
    status.setDetails(
        new StatusDetailsBuilder()
            .withName(request.name().isEmpty() ? null : request.name())
            .withGroup(request.apiGroup())
            .withKind(request.resource())
            .build());
    return new ApiException(status);
  }

  static ApiException notFound(String message) {
    return of(404, "NotFound", message);
  }

  static ApiException methodNotAllowed(String message) {
    return of(405, "MethodNotAllowed", message);
  }

  static ApiException unsupportedMediaType(String message) {
    return of(415, "UnsupportedMediaType", message);
  }

  static ApiException unprocessable(String message) {
    return of(422, "Invalid", message);
  }

  /**
   * A named object that does not exist, worded like the real server: {@code eravms.era.dev "x" not
   * found}.
   */
  static ApiException objectNotFound(ResourcePath path) {
    Status status =
        failure(404, "NotFound", path.groupResource() + " \"" + path.name() + "\" not found");
    status.setDetails(
        new StatusDetailsBuilder()
            .withName(path.name())
            .withGroup(path.group())
            .withKind(path.plural())
            .build());
    return new ApiException(status);
  }

  static ApiException alreadyExists(ResourcePath path, String name) {
    Status status =
        failure(409, "AlreadyExists", path.groupResource() + " \"" + name + "\" already exists");
    status.setDetails(
        new StatusDetailsBuilder()
            .withName(name)
            .withGroup(path.group())
            .withKind(path.plural())
            .build());
    return new ApiException(status);
  }

  /** An update based on a stale resourceVersion, worded like the real server. */
  static ApiException conflict(ResourcePath path) {
    return conflict(
        path,
        "the object has been modified; please apply your changes to the latest version and try again");
  }

  static ApiException conflict(ResourcePath path, String why) {
    return of(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + path.groupResource()
            + " \""
            + path.name()
            + "\": "
            + why);
  }

  /** Server-side apply would change fields other managers own, worded like the real server. */
  static ApiException applyConflict(List<ManagedFields.Conflict> conflicts) {
    String message;
    if (conflicts.size() == 1) {
      ManagedFields.Conflict only = conflicts.get(0);
      message =
          "Apply failed with 1 conflict: conflict with "
              + only.manager().describe()
              + ": "
              + FieldSet.describe(only.path());
    } else {
      Map<String, List<String>> byManager = new TreeMap<>();
      conflicts.forEach(
          c ->
              byManager
                  .computeIfAbsent(c.manager().describe(), m -> new ArrayList<>())
                  .add("- " + FieldSet.describe(c.path())));
      List<String> lines = new ArrayList<>();
      byManager.forEach(
          (manager, paths) -> {
            lines.add("conflicts with " + manager + ":");
            lines.addAll(paths);
          });
      message = "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
    }
    Status status = failure(409, "Conflict", message);
    status.setDetails(
        new StatusDetailsBuilder()
            .withCauses(
                conflicts.stream()
                    .map(
                        c ->
                            new StatusCauseBuilder()
                                .withReason("FieldManagerConflict")
                                .withMessage("conflict with " + c.manager().describe())
                                .withField(FieldSet.describe(c.path()))
                                .build())
                    .toList())
            .build());
    return new ApiException(status);
  }

  /** A 422 Invalid with one cause per field, as the real server reports schema violations. */
  static ApiException invalid(ServedResource resource, String name, List<FieldError> errors) {
    List<String> parts = errors.stream().map(FieldError::toString).toList();
    String joined = parts.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]";
    Status status =
        failure(
            422,
            "Invalid",
            resource.kind() + "." + resource.group() + " \"" + name + "\" is invalid: " + joined);
    List<StatusCause> causes =
        errors.stream()
            .map(
                e ->
                    new StatusCauseBuilder()
                        .withReason(e.reason())
                        .withField(e.field())
                        .withMessage(e.message())
                        .build())
            .toList();
    status.setDetails(
        new StatusDetailsBuilder()
            .withName(name)
            .withGroup(resource.group())
            .withKind(resource.kind())
            .withCauses(causes)
            .build());
    return new ApiException(status);
  }

  static ApiException of(int code, String reason, String message) {
    return new ApiException(failure(code, reason, message));
  }

  private static Status failure(int code, String reason, String message) {
    return new StatusBuilder()
        .withApiVersion("v1")
        .withKind("Status")
        .withNewMetadata()
        .endMetadata()
        .withStatus("Failure")
        .withCode(code)
        .withReason(reason)
        .withMessage(message)
        .build();
  }
}
