package dev.era.launcher;

/**
 * Why a VM process ended.
 *
 * @param requested true when stop() or kill() asked for it
 * @param reason a short human-readable reason, e.g. "QEMU exited with status 1" or "killed by
 *     signal 9"
 */
public record VmExit(boolean requested, String reason) {}
