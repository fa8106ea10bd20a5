package dev.era.apiserver;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * RBAC as kube-apiserver's authorizer applies it: a request is allowed when a rule covers it
 * ({@link PolicyRules}) in a ClusterRole that a ClusterRoleBinding binds to the user, or, for a
 * request in a namespace, in a Role of that namespace or a ClusterRole that a RoleBinding in that
 * namespace binds to the user. Nothing is denied explicitly: no rule, no access. A binding whose
 * role does not exist grants nothing.
 */
final class RbacAuthorizer {
  private final Map<String, List<PolicyRule>> clusterRoles = new HashMap<>();

  /** By namespace/name. */
  private final Map<String, List<PolicyRule>> roles = new HashMap<>();

  private final List<ClusterRoleBinding> clusterRoleBindings = new ArrayList<>();
  private final List<RoleBinding> roleBindings = new ArrayList<>();

  /**
   * @param objects Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
   */
  RbacAuthorizer(List<? extends HasMetadata> objects) {
    for (HasMetadata object : objects) {
      if (object instanceof ClusterRole role) {
        clusterRoles.put(role.getMetadata().getName(), orEmpty(role.getRules()));
      } else if (object instanceof Role role) {
        roles.put(
            key(role.getMetadata().getNamespace(), role.getMetadata().getName()),
            orEmpty(role.getRules()));
      } else if (object instanceof ClusterRoleBinding binding) {
        clusterRoleBindings.add(binding);
      } else if (object instanceof RoleBinding binding) {
        roleBindings.add(binding);
      } else {
        throw new IllegalArgumentException(
            "not an RBAC object: " + object.getKind() + " " + object.getMetadata().getName());
      }
    }
  }

  boolean allows(RequestAttributes request) {
    for (ClusterRoleBinding binding : clusterRoleBindings) {
      if (bindsUser(binding.getSubjects(), "", request.user())
          && "ClusterRole".equals(binding.getRoleRef().getKind())
          && anyCovers(clusterRoles.get(binding.getRoleRef().getName()), request)) {
        return true;
      }
    }
    if (request.namespace().isEmpty()) {
      return false;
    }
    for (RoleBinding binding : roleBindings) {
      String namespace = binding.getMetadata().getNamespace();
      if (request.namespace().equals(namespace)
          && bindsUser(binding.getSubjects(), namespace, request.user())
          && anyCovers(rulesOf(binding.getRoleRef(), namespace), request)) {
        return true;
      }
    }
    return false;
  }

  private List<PolicyRule> rulesOf(RoleRef ref, String namespace) {
    return switch (ref.getKind()) {
      case "ClusterRole" -> clusterRoles.get(ref.getName());
      case "Role" -> roles.get(key(namespace, ref.getName()));
      default -> null;
    };
  }

  private static boolean anyCovers(List<PolicyRule> rules, RequestAttributes request) {
    return rules != null && rules.stream().anyMatch(rule -> PolicyRules.covers(rule, request));
  }

  /**
   * @param bindingNamespace the namespace of a RoleBinding, whose ServiceAccount subjects default
   *     to it; empty for a ClusterRoleBinding
   */
  private static boolean bindsUser(List<Subject> subjects, String bindingNamespace, UserInfo user) {
    return orEmpty(subjects).stream()
        .anyMatch(
            subject ->
                switch (subject.getKind()) {
                  case "User" -> user.name().equals(subject.getName());
                  case "Group" -> user.inGroup(subject.getName());
                  case "ServiceAccount" -> {
                    String namespace =
                        subject.getNamespace() == null || subject.getNamespace().isEmpty()
                            ? bindingNamespace
                            : subject.getNamespace();
                    yield !namespace.isEmpty()
                        && user.name()
                            .equals(UserInfo.serviceAccountName(namespace, subject.getName()));
                  }
                  default -> false;
                });
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
