package dev.era.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the CLI tells whether a daemon runs, from the files one leaves behind. */
class DaemonProcessTest {
  @TempDir Path dir;
  private EraPaths paths;
  private DaemonProcess daemon;

  @BeforeEach
  void setUp() throws Exception {
    paths =
        EraPaths.from(
            Map.of("XDG_STATE_HOME", dir.toString(), "XDG_CONFIG_HOME", dir.toString()),
            "/nowhere");
    Files.createDirectories(paths.controlPlaneDir());
    daemon = new DaemonProcess(paths);
  }

  @Test
  void noPidFileMeansNotRunning() {
    assertThat(daemon.running()).isEmpty();
    assertThat(daemon.info()).isEmpty();
  }

  @Test
  void aPidFileNamingALiveProcessThatIsNoDaemonIsStale() throws Exception {
    long thisJvm = ProcessHandle.current().pid();
    Files.writeString(paths.pidFile(), thisJvm + "\n");
    new DaemonInfo(
            thisJvm,
            DaemonInfo.Phase.ready,
            "ready",
            "http://127.0.0.1:1",
            "k",
            "n",
            Instant.now().toString())
        .write(paths.infoFile());

    assertThat(daemon.running()).isEmpty();
    assertThat(daemon.info()).isEmpty();
  }

  @Test
  void aGarbledPidFileIsStale() throws Exception {
    Files.writeString(paths.pidFile(), "not a pid");

    assertThat(daemon.running()).isEmpty();
  }

  @Test
  void infoSurvivesAWriteAndReadBack() throws Exception {
    DaemonInfo info =
        new DaemonInfo(42, DaemonInfo.Phase.starting, "building", null, null, null, "t");
    info.write(paths.infoFile());

    assertThat(DaemonInfo.read(paths.infoFile())).contains(info);
    assertThat(DaemonInfo.read(dir.resolve("absent.json"))).isEmpty();
  }

  @Test
  void theLogTailIsTheLastLines() throws Exception {
    Files.writeString(paths.logFile(), "one\ntwo\nthree\nfour\n");

    assertThat(daemon.logTail(2)).containsExactly("three", "four");
  }
}
