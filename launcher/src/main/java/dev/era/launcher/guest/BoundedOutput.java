package dev.era.launcher.guest;

import java.io.ByteArrayOutputStream;

/** Keeps at most {@code limit} bytes of a stream and remembers whether more came. */
final class BoundedOutput {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int limit;
    private boolean truncated;

    BoundedOutput(int limit) {
        this.limit = limit;
    }

    void append(byte[] chunk) {
        int room = limit - kept.size();
        if (chunk.length > room) {
            truncated = true;
            kept.write(chunk, 0, Math.max(room, 0));
        } else {
            kept.write(chunk, 0, chunk.length);
        }
    }

    byte[] bytes() {
        return kept.toByteArray();
    }

    boolean truncated() {
        return truncated;
    }
}
