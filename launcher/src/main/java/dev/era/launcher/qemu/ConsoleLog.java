package dev.era.launcher.qemu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The end of a log file, for error messages. */
final class ConsoleLog {
    private static final int TAIL_BYTES = 4096;

    private ConsoleLog() {
    }

    /** The last {@code lines} non-blank lines of {@code file}; "(empty)" or "(unreadable …)" otherwise. */
    static String tail(Path file, int lines) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, raf.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (raf.length() - start)];
            raf.seek(start);
            raf.readFully(bytes);
            List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            if (all.isEmpty()) {
                return "(empty)";
            }
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
