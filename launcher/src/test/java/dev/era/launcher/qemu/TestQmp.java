package dev.era.launcher.qemu;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** QMP commands from tests, as an operator would send them to a VM's monitor socket with socat. */
public final class TestQmp {
    private TestQmp() {
    }

    public static void execute(Path socket, String command) throws IOException {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            Qmp.execute(socket, command, Duration.ofSeconds(5), timer);
        } finally {
            timer.shutdownNow();
        }
    }
}
