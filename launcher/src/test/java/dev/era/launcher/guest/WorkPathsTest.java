package dev.era.launcher.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.InvalidSpecException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WorkPathsTest {

  @ParameterizedTest
  @CsvSource({
    "main.py, /work/main.py",
    "src/app/main.py, /work/src/app/main.py",
    "/work/data.csv, /work/data.csv",
    "a/../b.txt, /work/b.txt",
    "./x, /work/x",
    "/work/a/./b/../c, /work/a/c"
  })
  void resolvesPathsInsideTheWorkDir(String given, String expected) {
    assertThat(WorkPaths.resolve(given)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../etc/passwd",
        "/etc/passwd",
        "a/../../x",
        "/work/../root/.ssh/id_rsa",
        "/workshop/x",
        "/"
      })
  void rejectsPathsThatEscape(String path) {
    assertThatThrownBy(() -> WorkPaths.resolve(path))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("escapes the work dir /work");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", ".", "/work", "/work/"})
  void rejectsEmptyPathsAndTheWorkDirItself(String path) {
    assertThatThrownBy(() -> WorkPaths.resolve(path)).isInstanceOf(InvalidSpecException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\0b"})
  void rejectsInvalidPaths(String path) {
    assertThatThrownBy(() -> WorkPaths.resolve(path))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("not a valid path");
  }
}
