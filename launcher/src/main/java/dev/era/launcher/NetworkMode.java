package dev.era.launcher;

/** Guest networking. {@code NONE} means the guest has no network device at all. */
public enum NetworkMode {
    NONE,
    /** User-mode networking: outbound access, no route to the host's loopback services. */
    FULL
}
