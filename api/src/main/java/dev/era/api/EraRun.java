package dev.era.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One command executed in an EraVM. */
@Group(Era.GROUP)
@Version(Era.VERSION)
@Plural("eraruns")
@ShortNames("er")
@Categories(Era.CATEGORY)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class EraRun extends CustomResource<EraRunSpec, EraRunStatus> implements Namespaced {

  @Override
  protected EraRunSpec initSpec() {
    return new EraRunSpec();
  }

  @Override
  protected EraRunStatus initStatus() {
    return new EraRunStatus();
  }

  @Override
  public void setSpec(EraRunSpec spec) {
    super.setSpec(spec == null ? initSpec() : spec);
  }

  @Override
  public void setStatus(EraRunStatus status) {
    super.setStatus(status == null ? initStatus() : status);
  }
}
