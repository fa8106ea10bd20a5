package dev.era.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A file staged into the guest before the command runs. Exactly one source is set. */
@ValidationRule(
    value =
        "(has(self.content) ? 1 : 0) + (has(self.contentBase64) ? 1 : 0)"
            + " + (has(self.configMapRef) ? 1 : 0) + (has(self.secretRef) ? 1 : 0) == 1",
    message = "a file needs exactly one of content, contentBase64, configMapRef, secretRef")
public class RunFile {
  public static final int DEFAULT_MODE = 0644;

  @JsonPropertyDescription(
      "Path relative to the guest's work directory /work (whatever workingDir says); no '..' segments.")
  @Required
  @Pattern(Patterns.RELATIVE_PATH)
  @Size(max = 4096)
  private String path;

  @JsonPropertyDescription("UTF-8 text content.")
  private String content;

  @JsonPropertyDescription("Binary content, base64-encoded.")
  @Pattern(Patterns.BASE64)
  private String contentBase64;

  private KeyRef configMapRef;
  private KeyRef secretRef;

  @JsonPropertyDescription("Permission bits, decimal (420 = 0644).")
  @Min(0)
  @Max(0777)
  @Default("420")
  private Integer mode = DEFAULT_MODE;

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getContent() {
    return content;
  }

  public void setContent(String content) {
    this.content = content;
  }

  public String getContentBase64() {
    return contentBase64;
  }

  public void setContentBase64(String contentBase64) {
    this.contentBase64 = contentBase64;
  }

  public KeyRef getConfigMapRef() {
    return configMapRef;
  }

  public void setConfigMapRef(KeyRef configMapRef) {
    this.configMapRef = configMapRef;
  }

  public KeyRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(KeyRef secretRef) {
    this.secretRef = secretRef;
  }

  public Integer getMode() {
    return mode;
  }

  public void setMode(Integer mode) {
    this.mode = mode == null ? DEFAULT_MODE : mode;
  }
}
