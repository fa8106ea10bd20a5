package dev.era.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** One command to run in an EraVM, with its files and environment. Written by users only. */
@ValidationRule(
    value = "has(self.command) != has(self.shell)",
    message = "set exactly one of command (argv) or shell")
public class EraRunSpec {
  public static final int MIN_TIMEOUT_SECONDS = 1;
  public static final int MAX_TIMEOUT_SECONDS = 86400;
  public static final int DEFAULT_TIMEOUT_SECONDS = 300;

  @JsonPropertyDescription("The EraVM, in the same namespace, to run in.")
  @PrinterColumn(name = "VM")
  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @Size(max = 253)
  private String vmName;

  @JsonPropertyDescription("argv of the command; the first entry is looked up in PATH.")
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @Size(min = 1)
  private List<String> command = new ArrayList<>();

  @JsonPropertyDescription("A shell script run with /bin/sh -c.")
  @Size(min = 1)
  private String shell;

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  private List<RunFile> files = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  private List<RunEnvVar> env = new ArrayList<>();

  @JsonPropertyDescription("Working directory in the guest; the run's work directory by default.")
  @Size(max = 4096)
  private String workingDir;

  @Min(MIN_TIMEOUT_SECONDS)
  @Max(MAX_TIMEOUT_SECONDS)
  @Default("300")
  private Integer timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

  public String getVmName() {
    return vmName;
  }

  public void setVmName(String vmName) {
    this.vmName = vmName;
  }

  public List<String> getCommand() {
    return command;
  }

  public void setCommand(List<String> command) {
    this.command = command == null ? new ArrayList<>() : new ArrayList<>(command);
  }

  public String getShell() {
    return shell;
  }

  public void setShell(String shell) {
    this.shell = shell;
  }

  public List<RunFile> getFiles() {
    return files;
  }

  public void setFiles(List<RunFile> files) {
    this.files = files == null ? new ArrayList<>() : new ArrayList<>(files);
  }

  public List<RunEnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<RunEnvVar> env) {
    this.env = env == null ? new ArrayList<>() : new ArrayList<>(env);
  }

  public String getWorkingDir() {
    return workingDir;
  }

  public void setWorkingDir(String workingDir) {
    this.workingDir = workingDir;
  }

  public Integer getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public void setTimeoutSeconds(Integer timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds == null ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
  }
}
