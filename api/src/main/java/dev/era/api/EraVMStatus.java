package dev.era.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.crd.generator.annotation.PrinterColumn;

/**
 * Observed state of an EraVM, written through the status subresource only. The operator writes
 * phase Pending/Scheduled/Failed (Invalid, NodeLost), nodeName and the Scheduled and Expired
 * conditions; the node agent writes the rest (see {@link EraVMPhase}).
 */
public class EraVMStatus extends EraStatus {
  /**
   * Null until someone writes a phase, as on the server: a status holds only what was written (see
   * {@link EraStatus}).
   */
  @JsonProperty
  @PrinterColumn(name = "Phase")
  private EraVMPhase phase;

  @PrinterColumn(name = "Node")
  private String nodeName;

  /** RFC 3339; when the guest last answered after a boot. Written by the node agent. */
  private String bootedAt;

  /** RFC 3339; when the last EraRun on this VM started. Written by the node agent. */
  private String lastRunAt;

  /**
   * The launcher's id of the warm guest of the pool (spec.pool) that the VM was bound to; absent
   * when its guest was booted for it. Written by the node agent, which finds the guest by it after
   * a restart.
   */
  private String warmGuest;

  private String reason;
  private String message;

  /** The phase written, or Pending before any was. */
  @JsonIgnore
  public EraVMPhase getPhase() {
    return phase == null ? EraVMPhase.Pending : phase;
  }

  public void setPhase(EraVMPhase phase) {
    this.phase = phase;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public String getBootedAt() {
    return bootedAt;
  }

  public void setBootedAt(String bootedAt) {
    this.bootedAt = bootedAt;
  }

  public String getLastRunAt() {
    return lastRunAt;
  }

  public void setLastRunAt(String lastRunAt) {
    this.lastRunAt = lastRunAt;
  }

  public String getWarmGuest() {
    return warmGuest;
  }

  public void setWarmGuest(String warmGuest) {
    this.warmGuest = warmGuest;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
