package dev.era.api;

/** Identity of the ERA API: group, version and the category every ERA kind belongs to. */
public final class Era {
  public static final String GROUP = "era.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** {@code kubectl get era} lists every ERA resource. */
  public static final String CATEGORY = "era";

  private Era() {}
}
