package dev.era.nodeagent.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.era.api.Era;
import dev.era.api.EraRun;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Delegates the decision to the API server, as kubelet does for its own endpoint: a TokenReview
 * says who the bearer token belongs to, a SubjectAccessReview whether that user may {@code get} the
 * EraRun. Answers are cached briefly, so a follower that reconnects or a client reading both
 * streams costs the API server nothing more: a known token for {@link #TOKEN_TTL}, a decision for
 * {@link #ALLOWED_TTL} (denials for {@link #DENIED_TTL}, so that a new RoleBinding soon takes
 * effect). Both caches are bounded.
 */
public final class ReviewedLogAccess implements LogAccess {
  static final Duration TOKEN_TTL = Duration.ofMinutes(1);
  static final Duration ALLOWED_TTL = Duration.ofSeconds(30);
  static final Duration DENIED_TTL = Duration.ofSeconds(5);
  private static final int CACHED = 1024;
  private static final String BEARER = "bearer ";

  private final KubernetesClient client;
  private final Cache<String, TokenReviewStatus> users =
      Caffeine.newBuilder()
          .maximumSize(CACHED)
          .expireAfter(
              expiry((TokenReviewStatus s) -> Boolean.TRUE.equals(s.getAuthenticated()), TOKEN_TTL))
          .build();
  private final Cache<Access, Boolean> decisions =
      Caffeine.newBuilder()
          .maximumSize(CACHED)
          .expireAfter(expiry(Boolean.TRUE::equals, ALLOWED_TTL))
          .build();

  public ReviewedLogAccess(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Decision check(String authorization, String namespace, String run) {
    if (authorization == null
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
        || authorization.substring(BEARER.length()).isBlank()) {
      return new Decision(Verdict.UNAUTHENTICATED, "a bearer token is required");
    }
    String token = authorization.substring(BEARER.length()).strip();
    try {
      TokenReviewStatus review = users.get(token, this::review);
      if (!Boolean.TRUE.equals(review.getAuthenticated())) {
        return new Decision(Verdict.UNAUTHENTICATED, "the API server does not know this token");
      }
      UserInfo user = review.getUser();
      Access access = new Access(user.getUsername(), user.getGroups(), namespace, run);
      if (decisions.get(access, this::allowed)) {
        return Decision.allowed();
      }
      return new Decision(
          Verdict.FORBIDDEN,
          "User \""
              + user.getUsername()
              + "\" cannot get resource \""
              + HasMetadata.getPlural(EraRun.class)
              + "\" in API group \""
              + Era.GROUP
              + "\" in the namespace \""
              + namespace
              + "\"");
    } catch (KubernetesClientException e) {
      return new Decision(
          Verdict.UNAVAILABLE, "cannot ask the API server who is calling: " + e.getMessage());
    }
  }

  private TokenReviewStatus review(String token) {
    return client
        .authentication()
        .v1()
        .tokenReviews()
        .create(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build())
        .getStatus();
  }

  private boolean allowed(Access access) {
    var review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(access.user())
            .withGroups(access.groups())
            .withNewResourceAttributes()
            .withVerb("get")
            .withGroup(Era.GROUP)
            .withResource(HasMetadata.getPlural(EraRun.class))
            .withNamespace(access.namespace())
            .withName(access.run())
            .endResourceAttributes()
            .endSpec()
            .build();
    return Boolean.TRUE.equals(
        client.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed());
  }

  /** Positive answers live for {@code ttl}, negative ones for {@link #DENIED_TTL}. */
  private static <K, V> Expiry<K, V> expiry(Predicate<V> positive, Duration ttl) {
    return Expiry.writing((key, value) -> positive.test(value) ? ttl : DENIED_TTL);
  }

  private record Access(String user, List<String> groups, String namespace, String run) {
    Access {
      groups = List.copyOf(Objects.requireNonNullElse(groups, List.of()));
    }
  }
}
