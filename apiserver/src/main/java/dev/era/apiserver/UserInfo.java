package dev.era.apiserver;

import java.util.List;

/**
 * Who a request comes from, as authentication established it: the user name and groups that RBAC
 * bindings name as subjects.
 */
record UserInfo(String name, List<String> groups) {
  static final String AUTHENTICATED = "system:authenticated";

  /** The group kube-apiserver's default {@code cluster-admin} binding names. */
  static final String MASTERS = "system:masters";

  private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  UserInfo {
    groups = List.copyOf(groups);
  }

  /** A service account's user, with the groups Kubernetes gives every service account token. */
  static UserInfo serviceAccount(String namespace, String name) {
    return new UserInfo(
        serviceAccountName(namespace, name),
        List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, AUTHENTICATED));
  }

  /** {@code system:serviceaccount:<namespace>:<name>}. */
  static String serviceAccountName(String namespace, String name) {
    return SERVICE_ACCOUNT_PREFIX + namespace + ":" + name;
  }

  boolean inGroup(String group) {
    return groups.contains(group);
  }
}
