package dev.era.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;

/**
 * Observed state of an EraRun. The operator writes Pending (with nodeName once dispatched), Failed
 * before dispatch, and Failed (NodeLost) for a Running run whose node is lost; the node agent
 * writes Running and the result.
 */
public class EraRunStatus extends EraStatus {
  /**
   * The most bytes of stdout and of stderr kept in the status (the tail), and the node agent's
   * default; the rest stays on the node.
   */
  public static final int OUTPUT_TAIL_BYTES = 64 * 1024;

  /**
   * Null until someone writes a phase, as on the server: a status holds only what was written (see
   * {@link EraStatus}).
   */
  @JsonProperty
  @PrinterColumn(name = "Phase")
  private EraRunPhase phase;

  private String nodeName;

  @PrinterColumn(name = "Exit")
  private Integer exitCode;

  private String stdout;
  private String stderr;
  private Boolean stdoutTruncated;
  private Boolean stderrTruncated;

  @JsonPropertyDescription(
      "True when the command wrote more than the node keeps of a run's stdout or stderr and the"
          + " rest was dropped: neither this status nor the node's logs hold all of its output.")
  private Boolean outputDropped;

  private String startedAt;
  private String finishedAt;
  private String reason;
  private String message;

  /**
   * The id of the run's command in its VM's guest agent, written with phase Running before the
   * command starts: a node agent that restarts while the run runs finds the command by it and
   * follows it to the end.
   */
  private Integer execId;

  /** The phase written, or Pending before any was. */
  @JsonIgnore
  public EraRunPhase getPhase() {
    return phase == null ? EraRunPhase.Pending : phase;
  }

  public void setPhase(EraRunPhase phase) {
    this.phase = phase;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public Integer getExitCode() {
    return exitCode;
  }

  public void setExitCode(Integer exitCode) {
    this.exitCode = exitCode;
  }

  public String getStdout() {
    return stdout;
  }

  public void setStdout(String stdout) {
    this.stdout = stdout;
  }

  public String getStderr() {
    return stderr;
  }

  public void setStderr(String stderr) {
    this.stderr = stderr;
  }

  public Boolean getStdoutTruncated() {
    return stdoutTruncated;
  }

  public void setStdoutTruncated(Boolean stdoutTruncated) {
    this.stdoutTruncated = stdoutTruncated;
  }

  public Boolean getStderrTruncated() {
    return stderrTruncated;
  }

  public void setStderrTruncated(Boolean stderrTruncated) {
    this.stderrTruncated = stderrTruncated;
  }

  public Boolean getOutputDropped() {
    return outputDropped;
  }

  public void setOutputDropped(Boolean outputDropped) {
    this.outputDropped = outputDropped;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
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

  public Integer getExecId() {
    return execId;
  }

  public void setExecId(Integer execId) {
    this.execId = execId;
  }
}
