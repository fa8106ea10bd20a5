package dev.era.launcher.qemu;

import dev.era.launcher.QemuAccelerator;
import dev.era.launcher.VmSpec;
import java.time.Instant;

/**
 * What a launcher needs to re-adopt a running VM: written to {@code state.json} when QEMU has
 * started.
 *
 * @param version format version of this file
 * @param pid host pid of QEMU
 * @param spec what was booted
 * @param accelerator how it runs
 * @param agentSocket the guest agent's channel
 * @param qmpSocket QEMU's control socket
 * @param consoleLog the guest's serial console
 * @param bootedAt when QEMU was started
 * @param imageKey the guest image it booted
 * @param egressHttpPort with network EGRESS: the host port of the VM's egress proxy, which its
 *     guest knows; 0 otherwise
 * @param egressDnsPort likewise for the proxy's DNS answerer
 */
public record VmState(
    int version,
    long pid,
    VmSpec spec,
    QemuAccelerator accelerator,
    String agentSocket,
    String qmpSocket,
    String consoleLog,
    Instant bootedAt,
    String imageKey,
    int egressHttpPort,
    int egressDnsPort) {
  public static final int CURRENT_VERSION = 1;
}
