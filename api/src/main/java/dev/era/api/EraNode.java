package dev.era.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One node that can run microVMs; cluster-scoped, named after the Kubernetes node. Its node agent
 * creates it and keeps its status current; it has no spec.
 */
@Group(Era.GROUP)
@Version(Era.VERSION)
@Plural("eranodes")
@ShortNames("en")
@Categories(Era.CATEGORY)
@AdditionalPrinterColumn(name = "Accelerator", jsonPath = ".status.accelerator")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "CPU",
    jsonPath = ".status.allocated.cpu",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "CPU Capacity",
    jsonPath = ".status.capacity.cpu",
    type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(name = "Memory", jsonPath = ".status.allocated.memory")
@AdditionalPrinterColumn(
    name = "Memory Capacity",
    jsonPath = ".status.capacity.memory",
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class EraNode extends CustomResource<Void, EraNodeStatus> {

  @Override
  protected EraNodeStatus initStatus() {
    return new EraNodeStatus();
  }

  @Override
  public void setStatus(EraNodeStatus status) {
    super.setStatus(status == null ? initStatus() : status);
  }
}
