package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TokenReview and SubjectAccessReview, as the node agent calls them to guard its endpoint. */
class AccessReviewsTest {
  private static EmbeddedApiServer server;
  private static KubernetesClient nodeAgent;

  @BeforeAll
  static void start() {
    server = new EmbeddedApiServer();
    server.start(0);
    nodeAgent = server.newClient(Component.NODE_AGENT);
  }

  @AfterAll
  static void stop() {
    nodeAgent.close();
    server.close();
  }

  @Test
  void aTokenReviewNamesTheTokensUserAndDoesNotEchoTheToken() {
    TokenReview review = tokenReview(server.tokenOf(EmbeddedApiServer.ADMIN_USER));

    assertThat(review.getStatus().getAuthenticated()).isTrue();
    assertThat(review.getStatus().getUser().getUsername()).isEqualTo(EmbeddedApiServer.ADMIN_USER);
    assertThat(review.getStatus().getUser().getGroups()).contains(UserInfo.MASTERS);
    assertThat(review.getSpec().getToken()).isNull();
  }

  @Test
  void anUnknownTokenIsNotAuthenticated() {
    TokenReview review = tokenReview("not-a-token");

    assertThat(review.getStatus().getAuthenticated()).isFalse();
    assertThat(review.getStatus().getUser()).isNull();
  }

  @Test
  void aSubjectAccessReviewAnswersWithTheUsersRbac() {
    String agent = Component.NODE_AGENT.user().name();
    List<String> agentGroups = Component.NODE_AGENT.user().groups();

    assertThat(allowed(agent, agentGroups, "get", "eraruns")).isTrue();
    assertThat(allowed(agent, agentGroups, "delete", "eraruns")).isFalse();
    assertThat(allowed("somebody", List.of(UserInfo.AUTHENTICATED), "get", "eraruns")).isFalse();
    assertThat(allowed("somebody", List.of(UserInfo.MASTERS), "delete", "eraruns")).isTrue();
  }

  @Test
  void aReviewWithoutSubjectOrAttributesIsInvalid() {
    SubjectAccessReview noSubject =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withNewResourceAttributes()
            .withVerb("get")
            .endResourceAttributes()
            .endSpec()
            .build();
    assertThatThrownBy(() -> nodeAgent.authorization().v1().subjectAccessReview().create(noSubject))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

    TokenReview noToken = new TokenReviewBuilder().withNewSpec().endSpec().build();
    assertThatThrownBy(() -> nodeAgent.authentication().v1().tokenReviews().create(noToken))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
  }

  @Test
  void reviewingNeedsRbacCreateOnTheReviews() {
    try (KubernetesClient operator = server.newClient(Component.OPERATOR)) {
      TokenReview review =
          new TokenReviewBuilder().withNewSpec().withToken("anything").endSpec().build();
      assertThatThrownBy(() -> operator.authentication().v1().tokenReviews().create(review))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
  }

  private static TokenReview tokenReview(String token) {
    return nodeAgent
        .authentication()
        .v1()
        .tokenReviews()
        .create(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build());
  }

  private static boolean allowed(String user, List<String> groups, String verb, String resource) {
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user)
            .withGroups(groups)
            .withNewResourceAttributes()
            .withNamespace("default")
            .withVerb(verb)
            .withGroup("era.dev")
            .withResource(resource)
            .withName("hello")
            .endResourceAttributes()
            .endSpec()
            .build();
    return nodeAgent
        .authorization()
        .v1()
        .subjectAccessReview()
        .create(review)
        .getStatus()
        .getAllowed();
  }
}
