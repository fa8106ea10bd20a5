package dev.era.launcher.egress;

/**
 * A connection or lookup an egress VM's proxy refused.
 *
 * @param vmId the VM whose guest asked
 * @param destination {@code host:port} of a connection, or the name of a lookup
 * @param reason why, for people
 */
public record EgressDenial(String vmId, String destination, String reason) {}
