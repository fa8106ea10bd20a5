package dev.era.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.launcher.GuestLanguage;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class UpCommandTest {
  /**
   * What `era up --images X` hands the daemon must parse there: `none` once came through as an
   * empty list.
   */
  @ParameterizedTest
  @CsvSource({"none, ''", "python, PYTHON", "'python,node', 'PYTHON,NODE'"})
  void theDaemonReadsTheImagesUpWasGiven(String given, String expected) {
    DaemonCommand daemon = new DaemonCommand();
    List<String> images = List.of(given.split(","));

    new CommandLine(daemon).parseArgs(UpCommand.daemonArgs(0, images).toArray(String[]::new));

    assertThat(daemon.languages())
        .map(GuestLanguage::name)
        .containsExactlyElementsOf(expected.isEmpty() ? List.of() : List.of(expected.split(",")));
  }
}
