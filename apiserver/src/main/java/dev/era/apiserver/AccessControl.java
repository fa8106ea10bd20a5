package dev.era.apiserver;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Locale;

/**
 * Stands before the API as kube-apiserver's filters do: a request without a valid bearer token is
 * answered 401 (there is no anonymous access), one that RBAC does not allow 403, both with the
 * {@code Status} bodies kube-apiserver sends. TokenReviews and SubjectAccessReviews, which ask
 * about these same tokens and rules, are answered here ({@link AccessReviews}); the rest goes on to
 * the API.
 */
final class AccessControl extends Dispatcher {
  private final BearerTokens tokens;
  private final RbacAuthorizer rbac;
  private final AccessReviews reviews;
  private final Dispatcher api;

  AccessControl(BearerTokens tokens, RbacAuthorizer rbac, Dispatcher api) {
    this.tokens = tokens;
    this.rbac = rbac;
    this.reviews = new AccessReviews(tokens, rbac);
    this.api = api;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    RequestAttributes attributes;
    try {
      attributes = check(request);
    } catch (ApiException e) {
      return ApiDispatcher.json(e.code(), e.status());
    }
    return reviews.answer(request, attributes.path()).orElseGet(() -> api.dispatch(request));
  }

  /** Who asks for what, once they may. */
  private RequestAttributes check(RecordedRequest request) {
    UserInfo user =
        tokens
            .authenticate(request.getHeader("Authorization"))
            .orElseThrow(ApiException::unauthorized);
    if (request.getHeaders().toMultimap().keySet().stream()
        .anyMatch(header -> header.toLowerCase(Locale.ROOT).startsWith("impersonate-"))) {
      // Ignoring the headers would run the request as the caller, not as whom it names.
      throw ApiException.badRequest(
          "the embedded API server does not support impersonation (kubectl --as)");
    }
    RequestAttributes attributes =
        RequestAttributes.of(user, request.getMethod(), ApiDispatcher.url(request));
    if (!rbac.allows(attributes)) {
      throw ApiException.forbidden(attributes);
    }
    return attributes;
  }
}
