package dev.era.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A microVM sandbox. See docs and {@link EraVMSpec}, {@link EraVMStatus}. */
@Group(Era.GROUP)
@Version(Era.VERSION)
@Plural("eravms")
@ShortNames("evm")
@Categories(Era.CATEGORY)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class EraVM extends CustomResource<EraVMSpec, EraVMStatus> implements Namespaced {

  @Override
  protected EraVMSpec initSpec() {
    return new EraVMSpec();
  }

  @Override
  protected EraVMStatus initStatus() {
    return new EraVMStatus();
  }

  /** Null (an explicit {@code spec: null}) becomes an empty, defaulted spec. */
  @Override
  public void setSpec(EraVMSpec spec) {
    super.setSpec(spec == null ? initSpec() : spec);
  }

  @Override
  public void setStatus(EraVMStatus status) {
    super.setStatus(status == null ? initStatus() : status);
  }

  /**
   * Whether the VM should be running on its node: what the node agent acts on. True when the user
   * wants it running, the operator has placed it (Scheduled=True), no TTL with action Stop has
   * expired (Expired=True) and the operator has not found the spec invalid (Ready=False, reason
   * Invalid; the node agent leaves such a Ready condition alone).
   */
  public boolean shouldRun() {
    return Boolean.TRUE.equals(getSpec().getRunning())
        && getStatus().isTrue(ConditionTypes.SCHEDULED)
        && !getStatus().isTrue(ConditionTypes.EXPIRED)
        && !getStatus().isFalseBecause(ConditionTypes.READY, Reasons.INVALID);
  }

  /**
   * Whether the user asked to keep the persistent disk on deletion ({@link
   * Annotations#KEEP_PERSIST}).
   */
  public boolean keepsPersistentDisk() {
    var annotations = getMetadata().getAnnotations();
    return annotations != null && "true".equals(annotations.get(Annotations.KEEP_PERSIST));
  }
}
