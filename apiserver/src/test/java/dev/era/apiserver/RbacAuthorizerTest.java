package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.fabric8.mockwebserver.http.HttpUrl;
import java.util.List;
import org.junit.jupiter.api.Test;

class RbacAuthorizerTest {
  private static final PolicyRule READ_VMS =
      new PolicyRuleBuilder()
          .withApiGroups("era.dev")
          .withResources("eravms")
          .withVerbs("get")
          .build();
  private static final UserInfo ALICE =
      new UserInfo("alice", List.of("team", UserInfo.AUTHENTICATED));
  private static final UserInfo AGENT = UserInfo.serviceAccount("era-system", "agent");

  private static boolean allows(
      List<HasMetadata> policy, UserInfo user, String method, String path) {
    return new RbacAuthorizer(policy)
        .allows(RequestAttributes.of(user, method, HttpUrl.parse("https://127.0.0.1:6443" + path)));
  }

  private static String vm(String namespace) {
    return "/apis/era.dev/v1alpha1/namespaces/" + namespace + "/eravms/vm";
  }

  private static ObjectMeta meta(String namespace, String name) {
    return new ObjectMetaBuilder().withNamespace(namespace).withName(name).build();
  }

  private static HasMetadata clusterRole(String name, PolicyRule... rules) {
    return new ClusterRoleBuilder().withMetadata(meta(null, name)).withRules(rules).build();
  }

  private static HasMetadata role(String namespace, String name, PolicyRule... rules) {
    return new RoleBuilder().withMetadata(meta(namespace, name)).withRules(rules).build();
  }

  private static HasMetadata clusterRoleBinding(String roleKind, String role, Subject... subjects) {
    return new ClusterRoleBindingBuilder()
        .withMetadata(meta(null, "b"))
        .withNewRoleRef("rbac.authorization.k8s.io", roleKind, role)
        .withSubjects(subjects)
        .build();
  }

  private static HasMetadata roleBinding(
      String namespace, String roleKind, String role, Subject... subjects) {
    return new RoleBindingBuilder()
        .withMetadata(meta(namespace, "b"))
        .withNewRoleRef("rbac.authorization.k8s.io", roleKind, role)
        .withSubjects(subjects)
        .build();
  }

  private static Subject subject(String kind, String name, String namespace) {
    return new SubjectBuilder().withKind(kind).withName(name).withNamespace(namespace).build();
  }

  /** A ClusterRole "read" of {@link #READ_VMS} and a ClusterRoleBinding of it to the subject. */
  private static List<HasMetadata> readEverywhere(Subject subject) {
    return List.of(
        clusterRole("read", READ_VMS), clusterRoleBinding("ClusterRole", "read", subject));
  }

  /** A Role "read" of {@link #READ_VMS} and a RoleBinding of it to the subject. */
  private static List<HasMetadata> readInNamespace(
      String roleNamespace, String bindingNamespace, Subject subject) {
    return List.of(
        role(roleNamespace, "read", READ_VMS),
        roleBinding(bindingNamespace, "Role", "read", subject));
  }

  @Test
  void noRulesNoAccess() {
    assertThat(allows(List.of(), ALICE, "GET", vm("a"))).isFalse();
  }

  @Test
  void aClusterRoleBindingGrantsEverywhereToItsUsersGroupsAndServiceAccounts() {
    List<HasMetadata> toAlice = readEverywhere(subject("User", "alice", null));
    assertThat(allows(toAlice, ALICE, "GET", vm("a"))).isTrue();
    assertThat(allows(toAlice, ALICE, "GET", vm("b"))).isTrue();
    assertThat(allows(toAlice, AGENT, "GET", vm("a"))).isFalse();
    assertThat(allows(toAlice, ALICE, "DELETE", vm("a"))).isFalse();

    List<HasMetadata> toTeam = readEverywhere(subject("Group", "team", null));
    assertThat(allows(toTeam, ALICE, "GET", vm("a"))).isTrue();
    assertThat(allows(toTeam, AGENT, "GET", vm("a"))).isFalse();

    List<HasMetadata> toAgent = readEverywhere(subject("ServiceAccount", "agent", "era-system"));
    assertThat(allows(toAgent, AGENT, "GET", vm("a"))).isTrue();
    assertThat(allows(toAgent, UserInfo.serviceAccount("other", "agent"), "GET", vm("a")))
        .isFalse();
    assertThat(allows(toAgent, new UserInfo("agent", List.of()), "GET", vm("a"))).isFalse();
  }

  @Test
  void aClusterRoleBindingToARoleOrAMissingRoleGrantsNothing() {
    assertThat(
            allows(
                List.of(
                    role("a", "read", READ_VMS),
                    clusterRoleBinding("Role", "read", subject("User", "alice", null))),
                ALICE,
                "GET",
                vm("a")))
        .isFalse();
    assertThat(
            allows(
                List.of(
                    clusterRoleBinding("ClusterRole", "missing", subject("User", "alice", null))),
                ALICE,
                "GET",
                vm("a")))
        .isFalse();
  }

  @Test
  void aRoleBindingGrantsOnlyInItsNamespace() {
    List<HasMetadata> policy = readInNamespace("a", "a", subject("User", "alice", null));

    assertThat(allows(policy, ALICE, "GET", vm("a"))).isTrue();
    assertThat(allows(policy, ALICE, "GET", vm("b"))).isFalse();
    assertThat(
            allows(
                readInNamespace("b", "a", subject("User", "alice", null)), ALICE, "GET", vm("a")))
        .as("a Role of another namespace")
        .isFalse();
  }

  @Test
  void aClusterRoleBoundInANamespaceGrantsOnlyThere() {
    PolicyRule everything =
        new PolicyRuleBuilder().withApiGroups("*").withResources("*").withVerbs("*").build();
    List<HasMetadata> policy =
        List.of(
            clusterRole("admin", everything),
            roleBinding("a", "ClusterRole", "admin", subject("User", "alice", null)));

    assertThat(allows(policy, ALICE, "DELETE", vm("a"))).isTrue();
    assertThat(allows(policy, ALICE, "GET", vm("b"))).isFalse();
    assertThat(allows(policy, ALICE, "GET", "/apis/era.dev/v1alpha1/eravms"))
        .as("across namespaces")
        .isFalse();
    assertThat(allows(policy, ALICE, "GET", "/apis/era.dev/v1alpha1/eranodes/n"))
        .as("cluster-scoped")
        .isFalse();
    assertThat(allows(policy, ALICE, "GET", "/api/v1/namespaces/a"))
        .as("its own namespace object")
        .isTrue();
  }

  @Test
  void aRoleBindingsServiceAccountDefaultsToItsNamespace() {
    List<HasMetadata> policy =
        readInNamespace("era-system", "era-system", subject("ServiceAccount", "agent", null));

    assertThat(allows(policy, AGENT, "GET", vm("era-system"))).isTrue();
    assertThat(
            allows(readEverywhere(subject("ServiceAccount", "agent", null)), AGENT, "GET", vm("a")))
        .as("a ClusterRoleBinding has no namespace to default to")
        .isFalse();
  }
}
