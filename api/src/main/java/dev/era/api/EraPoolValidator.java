package dev.era.api;

import java.util.List;

/**
 * Every rule of the EraPool schema, checked in Java for the reasons given in {@link
 * EraVMValidator}.
 */
public final class EraPoolValidator {
  private EraPoolValidator() {}

  /** Problems with the spec; empty when it is valid. */
  public static List<String> validate(EraPoolSpec spec) {
    Problems p = new Problems();
    EraVMValidator.checkTemplate(spec.getTemplate(), "spec.template.", p);
    p.require(
        !NetworkMode.egress.name().equals(spec.getTemplate().getNetwork()),
        "spec.template.network",
        "a pool's guests cannot have network egress (it needs a per-VM allow-list)");
    p.range(spec.getReplicas(), 0, EraPoolSpec.MAX_REPLICAS, "spec.replicas");
    return p.list();
  }
}
