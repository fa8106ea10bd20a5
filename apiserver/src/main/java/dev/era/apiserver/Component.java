package dev.era.apiserver;

/**
 * The ERA components that talk to the API server, each as the service account the Helm chart gives
 * it, with exactly the chart's RBAC rules for that account ({@link RbacPolicy}).
 */
public enum Component {
  OPERATOR("era-operator"),
  NODE_AGENT("era-node-agent");

  /** The namespace the chart's copy in the embedded API server is rendered for. */
  public static final String NAMESPACE = "era-system";

  private final String serviceAccount;

  Component(String serviceAccount) {
    this.serviceAccount = serviceAccount;
  }

  /** The service account's name as the chart renders it for release {@code era}. */
  public String serviceAccount() {
    return serviceAccount;
  }

  UserInfo user() {
    return UserInfo.serviceAccount(NAMESPACE, serviceAccount);
  }
}
