package dev.era.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.era.launcher.RequiresQemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's quickstart command, read from README.md and run exactly as written. */
@ExtendWith(RequiresQemu.class)
class QuickstartIT {
  /** The command is the first fenced block after this marker in README.md. */
  private static final Pattern QUICKSTART =
      Pattern.compile("<!-- quickstart -->\\s*```(?:bash|sh)?\\n(.+?)\\n```", Pattern.DOTALL);

  @Test
  void theReadmeQuickstartRunsAsWritten() throws Exception {
    Matcher block = QUICKSTART.matcher(Files.readString(CliRunner.REPO_ROOT.resolve("README.md")));
    assertThat(block.find()).as("a quickstart block in README.md").isTrue();
    Path dir = Files.createTempDirectory("era-quickstart-it");
    CliRunner cli = CliRunner.isolated(dir);
    try {
      CliRunner.Result quickstart = cli.runShell(Duration.ofMinutes(25), block.group(1));

      assertThat(quickstart.exitCode())
          .as("stdout: %s%nstderr: %s", quickstart.stdout(), quickstart.stderr())
          .isZero();
      assertThat(quickstart.stdout()).contains("Hello from ERA! Python 3");
      assertThat(Guests.daemonPid(cli))
          .as("the control plane it started is stopped again")
          .isEmpty();
      assertThat(Guests.processesUnder(dir)).as("VMs left running").isEmpty();
    } finally {
      Guests.cleanUp(cli, dir);
    }
  }
}
