package dev.era.nodeagent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.EraRun;
import dev.era.api.RunFile;
import dev.era.launcher.LaunchException;
import dev.era.launcher.VmHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunStagingTest {
  /** Inline contents only: no API is read. */
  private final RunStaging staging = new RunStaging(null);

  private final Map<String, String> written = new LinkedHashMap<>();

  /** A VM that takes files, or refuses them while alive or dead. */
  private VmHandle vm(boolean refuses, boolean alive) {
    return (VmHandle)
        Proxy.newProxyInstance(
            VmHandle.class.getClassLoader(),
            new Class<?>[] {VmHandle.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "isAlive" -> alive;
                  case "putFile" -> {
                    if (refuses) {
                      throw new LaunchException("no space left");
                    }
                    written.put(
                        args[0] + " " + Integer.toOctalString((Integer) args[2]), read(args[1]));
                    yield null;
                  }
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  private static String read(Object in) {
    try {
      return new String(((InputStream) in).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static EraRun run(String... paths) {
    EraRun run = new EraRun();
    run.getMetadata().setNamespace("ns");
    run.getSpec()
        .setFiles(
            List.of(paths).stream()
                .map(
                    p -> {
                      RunFile f = new RunFile();
                      f.setPath(p);
                      f.setContent("content of " + p);
                      f.setMode(p.endsWith(".sh") ? 0755 : null);
                      return f;
                    })
                .toList());
    return run;
  }

  @Test
  void everyFileGoesIntoTheVmWithItsMode() throws Exception {
    staging.stage(run("main.py", "bin/run.sh"), vm(false, true));
    assertThat(written)
        .containsExactly(
            Map.entry("main.py 644", "content of main.py"),
            Map.entry("bin/run.sh 755", "content of bin/run.sh"));
  }

  @Test
  void aFileALiveVmRefusesFailsStaging() {
    assertThatThrownBy(() -> staging.stage(run("main.py"), vm(true, true)))
        .isInstanceOf(StagingException.class)
        .hasMessage("cannot write file main.py into the VM: no space left");
  }

  @Test
  void aVmThatWentAwayIsNoStagingFailure() {
    assertThatThrownBy(() -> staging.stage(run("main.py"), vm(true, false)))
        .isInstanceOf(LaunchException.class);
  }
}
