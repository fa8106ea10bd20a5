package dev.era.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node agent reports about its node, through the status subresource. The operator only reads
 * it: a node takes new VMs while condition Ready is True and the heartbeat is fresh.
 */
public class EraNodeStatus extends EraStatus {
  @JsonPropertyDescription("What the node offers to microVMs.")
  private NodeResources capacity = new NodeResources();

  @JsonPropertyDescription("What the microVMs running on the node use now.")
  private NodeResources allocated = new NodeResources();

  private Accelerator accelerator;

  @JsonPropertyDescription("Guest images present on the node.")
  private List<String> images = new ArrayList<>();

  @JsonPropertyDescription("RFC 3339 time of the agent's last report.")
  private String heartbeat;

  @JsonPropertyDescription("Ready warm guests on the node, by EraPool.")
  private List<WarmGuestCount> pools = new ArrayList<>();

  @JsonPropertyDescription("Base URL of the node agent's HTTP endpoint (logs).")
  @Pattern("^https?://.+$")
  private String agentEndpoint;

  public NodeResources getCapacity() {
    return capacity;
  }

  public void setCapacity(NodeResources capacity) {
    this.capacity = capacity == null ? new NodeResources() : capacity;
  }

  public NodeResources getAllocated() {
    return allocated;
  }

  public void setAllocated(NodeResources allocated) {
    this.allocated = allocated == null ? new NodeResources() : allocated;
  }

  public Accelerator getAccelerator() {
    return accelerator;
  }

  public void setAccelerator(Accelerator accelerator) {
    this.accelerator = accelerator;
  }

  public List<String> getImages() {
    return images;
  }

  public void setImages(List<String> images) {
    this.images = images == null ? new ArrayList<>() : new ArrayList<>(images);
  }

  public String getHeartbeat() {
    return heartbeat;
  }

  public void setHeartbeat(String heartbeat) {
    this.heartbeat = heartbeat;
  }

  public List<WarmGuestCount> getPools() {
    return pools;
  }

  public void setPools(List<WarmGuestCount> pools) {
    this.pools = pools == null ? new ArrayList<>() : new ArrayList<>(pools);
  }

  /** Ready guests of the EraPool {@code namespace/pool} on this node. */
  public int readyGuests(String namespace, String pool) {
    return pools.stream()
        .filter(p -> namespace.equals(p.getNamespace()) && pool.equals(p.getPool()))
        .mapToInt(WarmGuestCount::getReady)
        .sum();
  }

  public String getAgentEndpoint() {
    return agentEndpoint;
  }

  public void setAgentEndpoint(String agentEndpoint) {
    this.agentEndpoint = agentEndpoint;
  }
}
