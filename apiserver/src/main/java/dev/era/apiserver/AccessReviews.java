package dev.era.apiserver;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfoBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * TokenReview and SubjectAccessReview, the two APIs through which another server delegates
 * authentication and authorization to this one (as kubelet and kube-rbac-proxy do with
 * kube-apiserver): the node agent uses them to decide who may read run logs. Both are create-only
 * and stored nowhere; the caller needs RBAC {@code create} on them, which {@link AccessControl}
 * checks before it asks for the answer here.
 */
final class AccessReviews {
  static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
  static final String SUBJECT_ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

  private final BearerTokens tokens;
  private final RbacAuthorizer rbac;

  AccessReviews(BearerTokens tokens, RbacAuthorizer rbac) {
    this.tokens = tokens;
    this.rbac = rbac;
  }

  /** The answer to a request for one of the reviews; empty for any other path. */
  Optional<MockResponse> answer(RecordedRequest request, String path) {
    String review = path.replaceAll("/+$", "");
    if (!review.equals(TOKEN_REVIEWS) && !review.equals(SUBJECT_ACCESS_REVIEWS)) {
      return Optional.empty();
    }
    try {
      if (request.method() != HttpMethod.POST) {
        throw ApiException.methodNotAllowed(review + " only takes POST (create)");
      }
      String body = request.getBody() == null ? "" : request.getBody().readUtf8();
      Object answer =
          review.equals(TOKEN_REVIEWS)
              ? tokenReview(parse(body, TokenReview.class))
              : subjectAccessReview(parse(body, SubjectAccessReview.class));
      return Optional.of(ApiDispatcher.json(201, answer));
    } catch (ApiException e) {
      return Optional.of(ApiDispatcher.json(e.code(), e.status()));
    }
  }

  /** Says whom the token names, if anyone; an unknown token is an answer, not an error. */
  TokenReview tokenReview(TokenReview review) {
    String token = review.getSpec() == null ? null : review.getSpec().getToken();
    if (token == null || token.isEmpty()) {
      throw ApiException.unprocessable("spec.token: Required value");
    }
    Optional<UserInfo> user = tokens.authenticate("Bearer " + token);
    review.setStatus(
        user.map(
                u ->
                    new TokenReviewStatusBuilder()
                        .withAuthenticated(true)
                        .withUser(
                            new UserInfoBuilder()
                                .withUsername(u.name())
                                .withUid(u.name())
                                .withGroups(u.groups())
                                .build())
                        .build())
            .orElseGet(
                () ->
                    new TokenReviewStatusBuilder()
                        .withAuthenticated(false)
                        .withError("invalid bearer token")
                        .build()));
    review.getSpec().setToken(null); // a review is answered, never echoed with the secret in it
    return review;
  }

  /** Whether RBAC allows the user and groups in the spec the request it describes. */
  SubjectAccessReview subjectAccessReview(SubjectAccessReview review) {
    SubjectAccessReviewSpec spec = review.getSpec();
    if (spec == null
        || (isEmpty(spec.getUser()) && (spec.getGroups() == null || spec.getGroups().isEmpty()))) {
      throw ApiException.unprocessable(
          "spec.user: at least one of user or group must be specified");
    }
    if ((spec.getResourceAttributes() == null) == (spec.getNonResourceAttributes() == null)) {
      throw ApiException.unprocessable(
          "spec: exactly one of nonResourceAttributes or resourceAttributes must be specified");
    }
    UserInfo user =
        new UserInfo(
            Objects.requireNonNullElse(spec.getUser(), ""),
            Objects.requireNonNullElse(spec.getGroups(), List.of()));
    boolean allowed = rbac.allows(attributes(user, spec));
    review.setStatus(
        new SubjectAccessReviewStatusBuilder()
            .withAllowed(allowed)
            .withReason(allowed ? "allowed by RBAC" : "")
            .build());
    return review;
  }

  private static RequestAttributes attributes(UserInfo user, SubjectAccessReviewSpec spec) {
    NonResourceAttributes nonResource = spec.getNonResourceAttributes();
    if (nonResource != null) {
      return new RequestAttributes(
          user, orEmpty(nonResource.getVerb()), false, "", "", "", "", "", nonResource.getPath());
    }
    ResourceAttributes resource = spec.getResourceAttributes();
    return new RequestAttributes(
        user,
        orEmpty(resource.getVerb()),
        true,
        orEmpty(resource.getGroup()),
        orEmpty(resource.getResource()),
        orEmpty(resource.getSubresource()),
        orEmpty(resource.getNamespace()),
        orEmpty(resource.getName()),
        "");
  }

  private static <T> T parse(String body, Class<T> type) {
    var object = Json.readObject(body);
    try {
      return Json.convert(object, type);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("the body is not a " + type.getSimpleName() + ": " + e);
    }
  }

  private static boolean isEmpty(String text) {
    return text == null || text.isEmpty();
  }

  private static String orEmpty(String text) {
    return text == null ? "" : text;
  }
}
