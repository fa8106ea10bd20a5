package dev.era.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EraRunValidatorTest {

  private static List<String> problems(Consumer<EraRunSpec> change) {
    EraRunSpec spec = new EraRunSpec();
    spec.setVmName("vm");
    spec.setShell("echo hi");
    change.accept(spec);
    return EraRunValidator.validate(spec);
  }

  private static RunFile file(String path, String content) {
    RunFile f = new RunFile();
    f.setPath(path);
    f.setContent(content);
    return f;
  }

  @Test
  void minimalRunIsValidWithDefaults() {
    assertThat(problems(s -> {})).isEmpty();
    assertThat(new EraRunSpec().getTimeoutSeconds()).isEqualTo(300);
  }

  @Test
  void vmNameIsRequired() {
    assertThat(problems(s -> s.setVmName(null))).containsExactly("spec.vmName: is required");
    assertThat(problems(s -> s.setVmName("Bad_Name")))
        .containsExactly("spec.vmName: 'Bad_Name' is not a valid EraVM name");
  }

  @Test
  void exactlyOneOfCommandAndShell() {
    assertThat(problems(s -> s.setCommand(List.of("ls"))))
        .containsExactly("spec: set exactly one of command (argv) or shell");
    assertThat(problems(s -> s.setShell(null)))
        .containsExactly("spec: set exactly one of command (argv) or shell");
    assertThat(
            problems(
                s -> {
                  s.setShell(null);
                  s.setCommand(List.of("python3", "-c", "print(1)"));
                }))
        .isEmpty();
    assertThat(problems(s -> s.setShell(""))).containsExactly("spec.shell: must not be empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "../x", "a/../../x", "a//b", "a/", ".."})
  void filePathsStayInside(String path) {
    assertThat(problems(s -> s.setFiles(List.of(file(path, "x")))))
        .singleElement()
        .asString()
        .isEqualTo(
            "spec.files[0].path: '" + path + "' is not a relative path without '..' segments");
  }

  @Test
  void aFileNeedsAPath() {
    assertThat(problems(s -> s.setFiles(List.of(file(null, "x")))))
        .containsExactly("spec.files[0].path: is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"main.py", "src/app.js", "./a", ".env", "..hidden", "a/...b", "a.b/c"})
  void relativePathsAreAccepted(String path) {
    assertThat(problems(s -> s.setFiles(List.of(file(path, "x"))))).isEmpty();
  }

  @Test
  void aFileNeedsExactlyOneSource() {
    RunFile none = file("a", null);
    RunFile two = file("b", "x");
    two.setSecretRef(new KeyRef("s", "k"));
    assertThat(problems(s -> s.setFiles(List.of(none, two))))
        .containsExactly(
            "spec.files[0]: needs exactly one of content, contentBase64, configMapRef, secretRef",
            "spec.files[1]: needs exactly one of content, contentBase64, configMapRef, secretRef");
  }

  @Test
  void fileSourcesAreChecked() {
    RunFile b64 = file("a", null);
    b64.setContentBase64("not base64!");
    RunFile ref = file("b", null);
    ref.setConfigMapRef(new KeyRef(null, "k"));
    RunFile mode = file("c", "x");
    mode.setMode(01000);
    RunFile noKey = file("d", null);
    noKey.setConfigMapRef(new KeyRef("c", null));
    RunFile badKey = file("e", null);
    badKey.setSecretRef(new KeyRef("s", "k/1"));
    assertThat(problems(s -> s.setFiles(List.of(b64, ref, mode, noKey, badKey))))
        .containsExactly(
            "spec.files[0].contentBase64: 'not base64!' is not base64",
            "spec.files[1].configMapRef.name: is required",
            "spec.files[2].mode: must be between 0 and 511 (got 512)",
            "spec.files[3].configMapRef.key: is required",
            "spec.files[4].secretRef.key: 'k/1' is not a valid key");
  }

  @Test
  void duplicatesAreRejected() {
    assertThat(problems(s -> s.setFiles(List.of(file("a", "1"), file("a", "2")))))
        .containsExactly("spec.files[1].path: duplicates an earlier file's path");
    assertThat(problems(s -> s.setEnv(List.of(new RunEnvVar("A", "1"), new RunEnvVar("A", "2")))))
        .containsExactly("spec.env[1].name: duplicates an earlier variable");
    assertThat(problems(s -> s.setEnv(List.of(new RunEnvVar("1A", "x")))))
        .containsExactly("spec.env[0].name: '1A' is not a valid variable name");
    assertThat(problems(s -> s.setEnv(List.of(new RunEnvVar(null, "x")))))
        .containsExactly("spec.env[0].name: is required");
  }

  @Test
  void timeoutRange() {
    Bounds.assertRange(t -> problems(s -> s.setTimeoutSeconds(t)), "spec.timeoutSeconds", 1, 86400);
  }
}
