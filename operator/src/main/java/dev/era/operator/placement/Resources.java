package dev.era.operator.placement;

import dev.era.api.NodeResources;
import dev.era.api.Quantities;
import dev.era.api.VmTemplate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Whole vCPUs and bytes of memory. */
public record Resources(long cpu, long memoryBytes) {
  public static final Resources ZERO = new Resources(0, 0);
  private static final int MAX_REMEMBERED = 1024;

  /** Placement sums every VM's memory; the few distinct quantities are parsed once. */
  private static final Map<String, Long> BYTES = new ConcurrentHashMap<>();

  /** What a VM (or a pool's guest) asks for; an unreadable memory quantity counts as none. */
  public static Resources of(VmTemplate spec) {
    return new Resources(spec.getCpu(), bytes(spec.getMemory()));
  }

  private static long bytes(String quantity) {
    Long known = BYTES.get(quantity);
    if (known != null) {
      return known;
    }
    long bytes = Quantities.bytes(quantity).orElse(0L);
    if (BYTES.size() < MAX_REMEMBERED) {
      BYTES.put(quantity, bytes);
    }
    return bytes;
  }

  /** A node's capacity; an unreadable memory quantity counts as none. */
  public static Resources of(NodeResources node) {
    return new Resources(node.getCpu(), Quantities.bytes(node.getMemory()).orElse(0L));
  }

  public Resources plus(Resources other) {
    return new Resources(cpu + other.cpu, memoryBytes + other.memoryBytes);
  }

  public Resources minus(Resources other) {
    return new Resources(cpu - other.cpu, memoryBytes - other.memoryBytes);
  }

  public Resources times(int n) {
    return new Resources(cpu * n, memoryBytes * n);
  }

  /** How many of {@code request} fit in this (a request of nothing fits any number of times). */
  public long fits(Resources request) {
    long byCpu = request.cpu > 0 ? cpu / request.cpu : Long.MAX_VALUE;
    long byMemory = request.memoryBytes > 0 ? memoryBytes / request.memoryBytes : Long.MAX_VALUE;
    return Math.max(0, Math.min(byCpu, byMemory));
  }

  public boolean covers(Resources request) {
    return cpu >= request.cpu && memoryBytes >= request.memoryBytes;
  }

  @Override
  public String toString() {
    return cpu + " CPU, " + Quantities.format(memoryBytes) + " memory";
  }
}
