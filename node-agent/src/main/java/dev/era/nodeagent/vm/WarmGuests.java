package dev.era.nodeagent.vm;

import dev.era.api.EraPool;
import dev.era.api.WarmGuestCount;
import dev.era.launcher.Confinement;
import dev.era.launcher.ExecRequest;
import dev.era.launcher.ExecResult;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.LaunchException;
import dev.era.launcher.Launcher;
import dev.era.launcher.StartListener;
import dev.era.launcher.VmHandle;
import dev.era.launcher.VmSpec;
import dev.era.launcher.host.CpuPriority;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The warm guests of this node: booted through the launcher, like any VM, for the pools whose
 * status asks this node to keep some ({@code status.nodes}), and handed over one at a time to the
 * EraVMs of the pool placed here. This object is their one owner: a guest leaves the ready set
 * under its lock, so no two VMs ever get the same guest, however many claim at once. A claimed
 * guest belongs to its EraVM (status.warmGuest names it), which is how a restarted agent tells it
 * from a ready one ({@link Adoption}).
 *
 * <p>Guests are launcher VMs with ids {@code warm-<hash of the pool's uid>-<suffix>}, so that a
 * restarted agent finds their pool, and a pool deleted and created again under the same name does
 * not inherit them. A guest boots only where the node has room for it next to its VMs.
 *
 * <p>Where the operator gives each guest a warm pod ({@link WarmPodSlots}), a guest boots in one of
 * the pool's pods bound here, its suffix the pod's, and is handed only to the VM that took that pod
 * over; a guest whose pod is gone is stopped. Elsewhere (the operator's ledger) the suffix is
 * random, guests run in the agent's cgroups, and any VM of the pool placed here takes any of them.
 */
public final class WarmGuests implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WarmGuests.class);
  private static final String PREFIX = "warm-";
  private static final int POOL_HASH_DIGITS = 8;
  private static final int RANDOM_BYTES = 6;

  /**
   * Threads that boot guests, at the lowest CPU priority where the agent can raise it again: the
   * QEMU each starts inherits it, so that a refill (a restore and a warm-up command) never slows
   * the node's VMs in use, nor the hand-over that caused it; a claim raises the guest's priority.
   */
  private static final int BOOT_THREADS = 2;

  static final Duration BOOT_RETRY = Duration.ofSeconds(10);

  /** How soon a guest waiting for its warm pod's container looks again. */
  private static final Duration POD_RETRY = Duration.ofSeconds(1);

  private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(20);
  private static final int WARM_UP_OUTPUT = 4096;

  /** How long closing waits for the boots in flight, which an interrupt cuts short. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  /** A pool by namespace and name. */
  public record PoolKey(String namespace, String name) {
    static PoolKey of(EraPool pool) {
      return new PoolKey(pool.getMetadata().getNamespace(), pool.getMetadata().getName());
    }
  }

  /** What the node keeps for one pool; guarded by the WarmGuests lock. */
  private static final class Pool {
    final String uidHash;
    final VmSpec template;
    final Deque<VmHandle> ready = new ArrayDeque<>();
    final Set<String> bootingSuffixes = new HashSet<>();
    EraPool resource;
    int wanted;
    int booting;

    Pool(EraPool resource, VmSpec template) {
      this.uidHash = uidHash(resource);
      this.resource = resource;
      this.template = template;
    }

    boolean inPods() {
      return WarmPodSlots.inPods(resource);
    }

    /** The suffixes of the pool's guests here, ready or booting. */
    Set<String> taken() {
      Set<String> taken = new HashSet<>(bootingSuffixes);
      ready.forEach(g -> taken.add(suffixOf(g.id())));
      return taken;
    }

    boolean isShort() {
      return ready.size() + booting < wanted;
    }
  }

  private final Launcher launcher;
  private final String nodeName;
  private final WarmPodSlots slots;
  private final SecureRandom random = new SecureRandom();
  private final Map<PoolKey, Pool> pools = new HashMap<>();
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService boots;
  private volatile Predicate<VmSpec> hasRoom = spec -> false;

  public WarmGuests(Launcher launcher, String nodeName, KubernetesClient client) {
    this.launcher = launcher;
    this.nodeName = nodeName;
    this.slots = new WarmPodSlots(client, nodeName);
    this.boots =
        Executors.newScheduledThreadPool(
            BOOT_THREADS, CpuPriority.backgroundThreads("era-warm-guest-boot"));
  }

  /** Says whether the node has room for one more guest next to everything it runs. */
  public void checkRoomWith(Predicate<VmSpec> hasRoom) {
    this.hasRoom = hasRoom;
  }

  /** Hears when guests become ready or leave (capacity and ready-count reports). */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  public static boolean isWarmGuest(String launcherId) {
    return launcherId.startsWith(PREFIX);
  }

  /** Whether the guest was booted for this pool (the same uid, not one of an earlier namesake). */
  static boolean belongsTo(String launcherId, EraPool pool) {
    return launcherId.startsWith(PREFIX + uidHash(pool) + "-");
  }

  /**
   * Keeps as many guests of the pool's template as its status asks of this node: boots the missing,
   * stops the surplus, and replaces all of them when the template changes.
   */
  public void keep(EraPool pool) {
    PoolKey key = PoolKey.of(pool);
    VmSpec template;
    try {
      template = VmSpecs.of("", pool.getSpec().getTemplate());
    } catch (InvalidSpecException e) {
      // The operator assigns an invalid pool no guests; one stored before a CRD upgrade gets none.
      release(key);
      return;
    }
    Set<String> gone = WarmPodSlots.inPods(pool) ? slots.gone(pool, readySuffixes(key)) : Set.of();
    List<VmHandle> surplus = new ArrayList<>();
    synchronized (this) {
      Pool current = pools.get(key);
      if (current == null
          || !current.uidHash.equals(uidHash(pool))
          || !VmSpecs.sameGuest(current.template, template)) {
        if (current != null) {
          surplus.addAll(current.ready);
        }
        current = new Pool(pool, template);
        pools.put(key, current);
      }
      current.resource = pool;
      current.wanted = pool.getStatus().replicasOn(nodeName);
      if (current.inPods()) {
        // A guest goes with its pod; one whose pod a VM took over waits for that VM.
        for (VmHandle guest : List.copyOf(current.ready)) {
          if (gone.contains(suffixOf(guest.id()))) {
            current.ready.remove(guest);
            surplus.add(guest);
          }
        }
      } else {
        while (current.ready.size() > current.wanted) {
          surplus.add(current.ready.removeLast());
        }
      }
      refill(key, current);
    }
    stop(surplus, "no longer wanted for pool " + key);
  }

  private synchronized Set<String> readySuffixes(PoolKey key) {
    Pool pool = pools.get(key);
    Set<String> suffixes = new HashSet<>();
    if (pool != null) {
      pool.ready.forEach(g -> suffixes.add(suffixOf(g.id())));
    }
    return suffixes;
  }

  /** The pool is gone: its ready guests are stopped; claimed ones live on as their EraVMs. */
  public void release(PoolKey key) {
    List<VmHandle> guests;
    synchronized (this) {
      Pool pool = pools.remove(key);
      guests = pool == null ? List.of() : List.copyOf(pool.ready);
    }
    stop(guests, "pool " + key + " was deleted");
  }

  /**
   * Takes a ready guest of the pool for an EraVM, if one matches the spec it asks for, back at the
   * normal CPU priority (a guest is booted and waits at the lowest, see {@link #BOOT_THREADS}). The
   * pool refills in the background once the guest is in the VM registry ({@link #refillAll}), where
   * the node's room counts it again.
   */
  public Optional<VmHandle> claim(PoolKey key, VmSpec want) {
    Optional<VmHandle> claimed = Optional.empty();
    synchronized (this) {
      Pool pool = pools.get(key);
      if (pool != null && VmSpecs.sameGuest(pool.template, want)) {
        VmHandle guest;
        while (claimed.isEmpty() && (guest = pool.ready.pollFirst()) != null) {
          if (guest.isAlive()) {
            claimed = Optional.of(guest);
          }
        }
      }
    }
    if (claimed.isPresent()) {
      claimed.get().toForeground();
      changed();
    }
    return claimed;
  }

  /**
   * Takes the guest waiting in the warm pod a VM took over (the pod's name ends with {@code
   * suffix}), if it is ready and matches the spec the VM asks for; a guest that does not match is
   * stopped, since no other VM can have its pod.
   *
   * @throws ReservationPodJoin.NotYet while that guest is still booting
   */
  public Optional<VmHandle> claimIn(PoolKey key, VmSpec want, String suffix) {
    VmHandle guest = null;
    boolean matches = false;
    synchronized (this) {
      Pool pool = pools.get(key);
      if (pool != null) {
        if (pool.bootingSuffixes.contains(suffix)) {
          throw new ReservationPodJoin.NotYet("the warm guest in its pod is still booting");
        }
        guest =
            pool.ready.stream()
                .filter(g -> suffixOf(g.id()).equals(suffix) && g.isAlive())
                .findFirst()
                .orElse(null);
        if (guest != null) {
          pool.ready.remove(guest);
          matches = VmSpecs.sameGuest(pool.template, want);
        }
      }
    }
    if (guest == null) {
      return Optional.empty();
    }
    if (!matches) {
      stop(List.of(guest), "the VM that took its pod over asks for another guest");
      return Optional.empty();
    }
    guest.toForeground();
    changed();
    return Optional.of(guest);
  }

  /** A ready guest an earlier agent left (see {@link Adoption}): ready again for its pool. */
  synchronized void adopt(EraPool pool, VmHandle guest) {
    PoolKey key = PoolKey.of(pool);
    Pool current =
        pools.computeIfAbsent(
            key, k -> new Pool(pool, VmSpecs.of("", pool.getSpec().getTemplate())));
    current.ready.add(guest);
    watchExit(key, current, guest);
  }

  /** Boots what the pools lack, where there is room now (after a VM on the node went away). */
  public void refillAll() {
    synchronized (this) {
      pools.forEach(this::refill);
    }
  }

  /** Ready guests by pool, as the EraNode reports them. */
  public synchronized List<WarmGuestCount> readyCounts() {
    return pools.entrySet().stream()
        .filter(e -> !e.getValue().ready.isEmpty())
        .sorted(
            Comparator.comparing((Map.Entry<PoolKey, Pool> e) -> e.getKey().namespace())
                .thenComparing(e -> e.getKey().name()))
        .map(
            e ->
                new WarmGuestCount(
                    e.getKey().namespace(), e.getKey().name(), e.getValue().ready.size()))
        .toList();
  }

  /** What the guests ready and booting hold of the node. */
  public synchronized List<VmSpec> held() {
    List<VmSpec> held = new ArrayList<>();
    for (Pool pool : pools.values()) {
      pool.ready.forEach(g -> held.add(g.spec()));
      for (int i = 0; i < pool.booting; i++) {
        held.add(pool.template);
      }
    }
    return held;
  }

  /** Guests being booted now, for every pool. */
  public synchronized int booting() {
    return pools.values().stream().mapToInt(p -> p.booting).sum();
  }

  /**
   * Stops booting, and returns once the boots in flight have ended: a guest still starting when the
   * next agent lists the node's VMs would belong to no one. Ready guests keep running, as all VMs
   * do when the agent stops, and the next agent re-adopts them.
   */
  @Override
  public void close() {
    boots.shutdownNow();
    try {
      if (!boots.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warnf(
            "warm guest boots still running %d s after the agent stopped", CLOSE_WAIT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Boots guests while the pool is short and the node has room; under the lock. */
  private void refill(PoolKey key, Pool pool) {
    // A warm pod holds its guest's room already, as kube-scheduler saw it.
    while (pool.isShort() && (pool.inPods() || hasRoom.test(pool.template))) {
      LOG.infof(
          "booting a warm guest for pool %s: %d ready, %d booting, %d wanted",
          key, pool.ready.size(), pool.booting, pool.wanted);
      pool.booting++;
      try {
        boots.execute(() -> boot(key, pool));
      } catch (RejectedExecutionException e) {
        pool.booting--;
        return; // closing
      }
    }
  }

  private void boot(PoolKey key, Pool pool) {
    Optional<WarmPodSlots.Slot> slot = slotFor(pool);
    if (slot.isEmpty()) {
      synchronized (this) {
        pool.booting--;
      }
      retryLater(POD_RETRY); // its pod is on its way
      return;
    }
    String suffix = slot.get().suffix();
    String id = PREFIX + pool.uidHash + "-" + suffix;
    VmHandle guest;
    try {
      VmSpec t = pool.template;
      guest =
          launcher.start(
              new VmSpec(id, t.language(), t.vcpus(), t.memoryMib(), t.network(), 0),
              slot.get().confinement(),
              StartListener.SILENT);
    } catch (LaunchException e) {
      LOG.warnf("cannot boot a warm guest for pool %s: %s", key, e.getMessage());
      endBoot(pool, suffix);
      retryLater(BOOT_RETRY);
      return;
    }
    if (!warmUp(guest)) {
      stop(List.of(guest), "its warm-up command failed");
      endBoot(pool, suffix);
      retryLater(BOOT_RETRY);
      return;
    }
    boolean kept;
    synchronized (this) {
      endBoot(pool, suffix);
      kept = pools.get(key) == pool && pool.ready.size() < pool.wanted;
      if (kept) {
        pool.ready.add(guest);
        watchExit(key, pool, guest);
      }
    }
    if (kept) {
      LOG.infof("warm guest %s of pool %s is ready (pid %d)", id, key, guest.pid());
      changed();
    } else {
      stop(List.of(guest), "pool " + key + " no longer wants it");
    }
  }

  /** A boot is over, whatever became of it. */
  private synchronized void endBoot(Pool pool, String suffix) {
    pool.booting--;
    pool.bootingSuffixes.remove(suffix);
  }

  /**
   * Where the next guest of the pool boots: a free warm pod here, reserved under the lock, or (with
   * no warm pods) the agent's own cgroups under a random suffix; empty while no pod is free.
   */
  private Optional<WarmPodSlots.Slot> slotFor(Pool pool) {
    if (!pool.inPods()) {
      String suffix = HexFormat.of().formatHex(randomBytes());
      synchronized (this) {
        pool.bootingSuffixes.add(suffix);
      }
      return Optional.of(new WarmPodSlots.Slot(suffix, Confinement.NONE));
    }
    Set<String> taken;
    synchronized (this) {
      taken = pool.taken();
    }
    Optional<WarmPodSlots.Slot> slot = slots.free(pool.resource, taken);
    synchronized (this) {
      // Two boots may have found the same pod: the first to reserve it has it.
      if (slot.isPresent() && !pool.bootingSuffixes.add(slot.get().suffix())) {
        return Optional.empty();
      }
    }
    return slot;
  }

  /**
   * Runs the language's interpreter once, as a user's command would, so that the VM the guest goes
   * to finds it loaded: its first command then takes as long as its second (a Python guest's first
   * {@code python3} takes about a second longer under TCG).
   */
  private static boolean warmUp(VmHandle guest) {
    String command = guest.spec().language().warmUpCommand();
    try {
      ExecResult result =
          guest.exec(
              new ExecRequest(
                  List.of(),
                  command,
                  Map.of(),
                  null,
                  null,
                  WARM_UP_TIMEOUT,
                  WARM_UP_OUTPUT,
                  false));
      if (result.exitCode() == 0) {
        return true;
      }
      LOG.warnf(
          "warm guest %s: `%s` exited with %d: %s",
          guest.id(), command, result.exitCode(), result.stderrText());
    } catch (LaunchException e) {
      LOG.warnf("warm guest %s: `%s` failed: %s", guest.id(), command, e.getMessage());
    }
    return false;
  }

  /** A ready guest that dies leaves the pool, which refills. */
  private void watchExit(PoolKey key, Pool pool, VmHandle guest) {
    guest
        .onExit()
        .thenAccept(
            exit -> {
              boolean wasReady;
              synchronized (this) {
                wasReady = pool.ready.remove(guest);
                if (wasReady && pools.get(key) == pool) {
                  refill(key, pool);
                }
              }
              if (wasReady) {
                LOG.warnf("warm guest %s of pool %s ended: %s", guest.id(), key, exit.reason());
                changed();
              }
            });
  }

  private void retryLater(Duration after) {
    try {
      boots.schedule(this::refillAll, after.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void stop(List<VmHandle> guests, String why) {
    for (VmHandle guest : guests) {
      LOG.infof("stopping warm guest %s: %s", guest.id(), why);
      try {
        guest.kill();
      } catch (LaunchException e) {
        LOG.warnf("cannot stop warm guest %s: %s", guest.id(), e.getMessage());
      }
    }
    if (!guests.isEmpty()) {
      changed();
    }
  }

  private void changed() {
    changeListeners.forEach(Runnable::run);
  }

  private byte[] randomBytes() {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The suffix of a guest's id: random, or its warm pod's. */
  private static String suffixOf(String id) {
    return id.substring(id.lastIndexOf('-') + 1);
  }

  private static String uidHash(EraPool pool) {
    return VmSpecs.hash(pool.getMetadata().getUid()).substring(0, POOL_HASH_DIGITS);
  }
}
