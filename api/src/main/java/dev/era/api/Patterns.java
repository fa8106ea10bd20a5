package dev.era.api;

/**
 * Regular expressions shared by the CRD schema ({@code @Pattern}) and the Java validators. They use
 * only syntax that Go's RE2 (the API server) and java.util.regex read the same way: no lookaround.
 */
public final class Patterns {
  /**
   * A Kubernetes quantity such as {@code 256Mi}, {@code 1Gi}, {@code 1.5G} or {@code 134217728}.
   */
  public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";

  /** A DNS-1123 subdomain: the names of EraVMs and nodes. */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /**
   * An egress allow-list entry: a host name, an IPv4 address, a {@code *.}wildcard domain or an
   * IPv4 CIDR range, each with an optional {@code :port}. Octets, prefix lengths and ports are
   * checked for range beyond this pattern.
   */
  public static final String EGRESS_ENTRY =
      "^((\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*"
          + "|[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2})(:[0-9]{1,5})?$";

  /**
   * A relative path whose segments are never {@code ..} (nor empty): every segment is {@code .},
   * starts with a character other than {@code .} and {@code /}, or is a dot followed by more.
   */
  public static final String RELATIVE_PATH =
      "^([^./][^/]*|\\.[^./][^/]*|\\.\\.[^/]+|\\.)(/([^./][^/]*|\\.[^./][^/]*|\\.\\.[^/]+|\\.))*$";

  /** A key in a ConfigMap or Secret. */
  public static final String CONFIG_KEY = "^[-._a-zA-Z0-9]+$";

  /** A POSIX environment variable name. */
  public static final String ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]*$";

  /** Standard base64 with padding. */
  public static final String BASE64 =
      "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

  private Patterns() {}
}
