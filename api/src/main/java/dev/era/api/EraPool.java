package dev.era.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A warm pool: guests of one template kept booted and ready, so that an EraVM naming the pool
 * ({@code spec.pool}) is bound to one instead of booting. See {@link EraPoolSpec}, {@link
 * EraPoolStatus} and docs/architecture.md, "Warm pools".
 */
@Group(Era.GROUP)
@Version(Era.VERSION)
@Plural("erapools")
@ShortNames("epool")
@Categories(Era.CATEGORY)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class EraPool extends CustomResource<EraPoolSpec, EraPoolStatus> implements Namespaced {

  @Override
  protected EraPoolSpec initSpec() {
    return new EraPoolSpec();
  }

  @Override
  protected EraPoolStatus initStatus() {
    return new EraPoolStatus();
  }

  @Override
  public void setSpec(EraPoolSpec spec) {
    super.setSpec(spec == null ? initSpec() : spec);
  }

  @Override
  public void setStatus(EraPoolStatus status) {
    super.setStatus(status == null ? initStatus() : status);
  }
}
