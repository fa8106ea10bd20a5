package dev.era.launcher;

import dev.era.launcher.egress.EgressListener;
import dev.era.launcher.egress.EgressPolicy;
import dev.era.launcher.egress.EgressProxies;
import dev.era.launcher.egress.EgressProxy;
import dev.era.launcher.egress.NameResolver;
import dev.era.launcher.host.CpuPriority;
import dev.era.launcher.host.ForbiddenAddresses;
import dev.era.launcher.host.GuestNetworkGuard;
import dev.era.launcher.host.HostInfo;
import dev.era.launcher.host.NetNamespace;
import dev.era.launcher.host.PrivateDirs;
import dev.era.launcher.host.ProcFs;
import dev.era.launcher.host.QemuUser;
import dev.era.launcher.host.TscFrequency;
import dev.era.launcher.image.GuestImage;
import dev.era.launcher.image.GuestImages;
import dev.era.launcher.qemu.ConsoleLog;
import dev.era.launcher.qemu.PersistentDisks;
import dev.era.launcher.qemu.ProcessWatcher;
import dev.era.launcher.qemu.QemuBinary;
import dev.era.launcher.qemu.QemuCommand;
import dev.era.launcher.qemu.QemuVm;
import dev.era.launcher.qemu.SnapshotKey;
import dev.era.launcher.qemu.Snapshots;
import dev.era.launcher.qemu.SpecValidator;
import dev.era.launcher.qemu.StateFiles;
import dev.era.launcher.qemu.VmPaths;
import dev.era.launcher.qemu.VmProcess;
import dev.era.launcher.qemu.VmState;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The {@link Launcher} for QEMU {@code -M microvm} guests. VMs run detached from the JVM (own
 * session) and are recorded in {@code <stateDir>/vms/<id>/state.json}; a new instance over the same
 * state directory re-adopts the live ones and removes the dead ones. One launcher instance owns a
 * state directory at a time.
 */
public final class QemuLauncher implements Launcher {
  private static final Logger LOG = Logger.getLogger(QemuLauncher.class);

  /** A running guest answers HELLO in well under a millisecond; this covers a loaded host. */
  static final Duration ADOPT_TIMEOUT = Duration.ofSeconds(5);

  /** A snapshot no start has used for this long is removed when a launcher starts. */
  private static final Duration SNAPSHOTS_UNUSED = Duration.ofDays(7);

  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  /** How long a QEMU whose QMP socket closed may take to be seen dead. */
  private static final Duration DEATH_WAIT = Duration.ofSeconds(1);

  /**
   * A restore is ready in well under a second even under TCG; a snapshot whose guest hangs must not
   * hold a start for the whole boot timeout before it cold-boots.
   */
  private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(20);

  /** Writing a snapshot takes about 0.1 s per 64 MiB of guest memory in use. */
  private static final Duration SAVE_TIMEOUT = Duration.ofSeconds(30);

  private final LauncherConfig config;
  private final GuestImages images;
  private final PersistentDisks disks;
  private final Snapshots snapshots;
  private final ScheduledExecutorService scheduler;
  private final ProcessWatcher watcher;
  private final AcceleratorProbe probe;
  private final ConcurrentHashMap<String, QemuVm> vms = new ConcurrentHashMap<>();
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  private final Set<String> saving = ConcurrentHashMap.newKeySet();
  private final Object adoptLock = new Object();
  private AcceleratorProbe.Result probeResult;
  private OptionalLong tscKhz;
  private Path qemu;
  private String qemuVersion;
  private volatile boolean closed;
  private GuestNetworkGuard networkGuard;
  private final EgressProxies egress;
  private final SpareQemus spares;
  private final SecureRandom random = new SecureRandom();

  public QemuLauncher(LauncherConfig config) {
    this(config, new GuestImages(config.cacheDir()));
  }

  public QemuLauncher(LauncherConfig config, GuestImages images) {
    this.config = config;
    this.egress =
        new EgressProxies(new ForbiddenAddresses(config.allowedCidrs(), config.deniedCidrs()));
    this.images = images;
    this.disks = new PersistentDisks(config.stateDir());
    this.snapshots = new Snapshots(config.cacheDir());
    snapshots.prune(SNAPSHOTS_UNUSED);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "era-launcher");
              t.setDaemon(true);
              return t;
            });
    this.watcher = new ProcessWatcher(scheduler);
    this.spares = new SpareQemus(scheduler, s -> discard(s.process(), s.paths().dir()));
    scheduler.scheduleWithFixedDelay(
        () ->
            vms.values()
                .forEach(vm -> ConsoleLog.cap(vm.consoleLog(), config.consoleLogMaxBytes())),
        1,
        1,
        TimeUnit.SECONDS);
    this.probe =
        new AcceleratorProbe(
            config.accelerator(),
            config.cacheDir().resolve("accelerator-probe.json"),
            new KvmTestBoot());
  }

  public LauncherConfig config() {
    return config;
  }

  @Override
  public QemuAccelerator accelerator() {
    return acceleratorProbe().accelerator();
  }

  @Override
  public synchronized AcceleratorProbe.Result acceleratorProbe() {
    if (probeResult == null) {
      probeResult = probe.probe();
      LOG.infof("accelerator: %s (%s)", probeResult.accelerator(), probeResult.reason());
    }
    return probeResult;
  }

  @Override
  public VmHandle start(VmSpec spec, Confinement confinement, StartListener listener) {
    ensureOpen();
    validate(spec);
    validate(spec, confinement);
    Path qemuBinary = qemu();
    if (!starting.add(spec.id())) {
      throw new InvalidSpecException("VM '" + spec.id() + "' is already being started");
    }
    try {
      Optional<QemuVm> running = adopt(spec.id());
      if (running.isPresent()) {
        throw new InvalidSpecException(
            "a VM named '"
                + spec.id()
                + "' already runs on this host (pid "
                + running.get().pid()
                + "): stop it or pick another id");
      }
      GuestImage image = images.ensure(spec.language(), ProgressListener.SILENT);
      QemuVm vm = restoreOrBoot(qemuBinary, spec, confinement, image, listener);
      vms.put(spec.id(), vm);
      if (!vm.isAlive()) {
        vms.remove(spec.id(), vm);
      }
      return vm;
    } finally {
      starting.remove(spec.id());
    }
  }

  @Override
  public Optional<VmHandle> find(String id) {
    ensureOpen();
    if (!SpecValidator.isValidId(id) || starting.contains(id) || spares.isSpare(id)) {
      return Optional.empty();
    }
    return adopt(id).map(vm -> vm);
  }

  @Override
  public Collection<VmHandle> list() {
    ensureOpen();
    List<VmHandle> running = new ArrayList<>();
    Path vmsDir = VmPaths.vmsDir(config.stateDir());
    if (!Files.isDirectory(vmsDir)) {
      return running;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(vmsDir, Files::isDirectory)) {
      for (Path dir : dirs) {
        String id = dir.getFileName().toString();
        if (!SpecValidator.isValidId(id) || starting.contains(id) || spares.isSpare(id)) {
          continue;
        }
        try {
          adopt(id).ifPresent(running::add);
        } catch (LaunchException e) {
          LOG.warnf("skipping VM %s: %s", id, e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new LaunchException("cannot list " + vmsDir + ": " + e.getMessage(), e);
    }
    return running;
  }

  @Override
  public void deleteDisk(String id) {
    ensureOpen();
    SpecValidator.validateId(id);
    if (starting.contains(id) || adopt(id).isPresent()) {
      throw new LaunchException(
          "VM '" + id + "' is running: stop it before deleting its persistent disk");
    }
    disks.delete(id);
  }

  @Override
  public void onEgressDenied(EgressListener listener) {
    egress.onDenied(listener);
  }

  /** For tests: how many spare QEMUs wait for a VM of their shape. */
  int sparesReady() {
    return spares.ready();
  }

  /** For tests: where egress proxies started from now on look names up. */
  public void resolveEgressNamesWith(NameResolver resolver) {
    egress.resolveWith(resolver);
  }

  @Override
  public Set<GuestLanguage> imagesPresent() {
    return images.present();
  }

  @Override
  public void prepareImage(GuestLanguage language, ProgressListener progress) {
    images.ensure(language, progress);
  }

  /** Forgets every VM without stopping it; they keep running and a new launcher re-adopts them. */
  @Override
  public void close() {
    closed = true;
    spares.close();
    vms.values().forEach(QemuVm::detach);
    vms.clear();
    watcher.close();
    scheduler.shutdownNow();
    egress.close();
  }

  /**
   * A confined guest with network needs the namespace of its own, where its rules can hold for
   * every socket; an egress guest's rules there tell its proxy's sockets from QEMU's by their
   * owner, so QEMU must run as a user of its own.
   */
  private void validate(VmSpec spec, Confinement confinement) {
    if (confinement.isNone() || spec.network() == GuestNetwork.NONE) {
      return;
    }
    if (confinement.netns().isEmpty()) {
      throw new InvalidSpecException(
          "a confined VM with network needs a network namespace of its own");
    }
    if (spec.network() == GuestNetwork.EGRESS && !qemuHasItsOwnUser()) {
      throw new InvalidSpecException(
          "network egress (an allow-list) in a VM's own pod needs QEMU to run as a user of its"
              + " own (qemuUser): the pod's rules tell the proxy's sockets from QEMU's by owner");
    }
  }

  private boolean qemuHasItsOwnUser() {
    return config
        .qemuUser()
        .map(QemuUser::new)
        .filter(u -> !u.hasUid(HostInfo.effectiveUid()))
        .isPresent();
  }

  private void validate(VmSpec spec) {
    SpecValidator.validateId(spec.id());
    boolean diskExists = spec.persistMib() > 0 && disks.exists(spec.id());
    long diskFreeMib = spec.persistMib() > 0 ? freeMib(config.stateDir()) : Long.MAX_VALUE;
    int vcpus =
        config.maxVcpus() > 0 ? Math.min(config.maxVcpus(), HostInfo.cores()) : HostInfo.cores();
    SpecValidator.validate(
        spec,
        new SpecValidator.HostLimits(vcpus, HostInfo.memAvailableMib(), diskFreeMib),
        diskExists);
    VmPaths.of(config.stateDir(), spec.id()).checkSocketPathLength();
  }

  /**
   * Restores the snapshot of the VM's shape, else cold-boots and saves one from this boot (before
   * the guest has an identity or ran anything), then gives the guest its identity.
   */
  private QemuVm restoreOrBoot(
      Path qemuBinary,
      VmSpec spec,
      Confinement confinement,
      GuestImage image,
      StartListener listener) {
    QemuCommand command = command(qemuBinary, spec, image, accelerator());
    SnapshotKey key = SnapshotKey.of(command, qemuVersion());
    Optional<Path> snapshot = snapshots.find(key);
    QemuVm vm = null;
    if (snapshot.isPresent()) {
      try {
        vm =
            (confinement.isNone() ? fromSpare(command, key) : Optional.<QemuVm>empty())
                .orElseGet(() -> spawn(command, confinement, StartKind.SNAPSHOT_RESTORE));
        vm.awaitRestored(snapshot.get(), min(config.bootTimeout(), RESTORE_TIMEOUT));
      } catch (LaunchException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e; // the start was called off (the agent is stopping), not the snapshot's fault
        }
        if (vm != null && vm.endsKilled(DEATH_WAIT)) {
          // Not the snapshot's fault either: most likely its cgroup's memory limit.
          throw new LaunchException(
              "VM "
                  + spec.id()
                  + "'s QEMU was killed (SIGKILL) while its snapshot was restored: is the memory"
                  + " limit of its cgroup (its pod's) below the VM's memory and the VMM's"
                  + " overhead?",
              e);
        }
        vm = null;
        snapshots.discard(key);
        String message =
            "the snapshot "
                + snapshot.get().getFileName()
                + " could not be restored and was discarded; cold-booting instead: "
                + e.getMessage();
        LOG.warnf("VM %s: %s", spec.id(), message);
        listener.snapshotDiscarded(message);
      }
    }
    if (vm == null) {
      vm = spawn(command, confinement, StartKind.COLD_BOOT);
      vm.awaitReady(config.bootTimeout(), false);
      save(vm, key, listener);
    }
    if (confinement.isNone()) {
      prepareSpare(qemuBinary, spec, image, key);
    }
    try {
      vm.renewIdentity(GuestIdentity.of(spec));
    } catch (LaunchException e) {
      vm.kill();
      throw new LaunchException(
          "VM " + spec.id() + " did not take its identity: " + e.getMessage(), e);
    }
    LOG.debugf(
        "VM %s ready (pid %d, %s, %s)", spec.id(), vm.pid(), vm.accelerator(), vm.startKind());
    return vm;
  }

  /**
   * A snapshot that cannot be written costs later starts their speed, not this VM its life. Of VMs
   * of one shape that cold-boot at once, one saves; the others are not paused for nothing.
   */
  private void save(QemuVm vm, SnapshotKey key, StartListener listener) {
    if (snapshots.find(key).isPresent() || !saving.add(key.hash())) {
      return;
    }
    long started = System.nanoTime();
    try {
      long bytes = vm.saveSnapshot(snapshots, key, SAVE_TIMEOUT);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      LOG.infof(
          "saved snapshot %s (%d MiB in %d ms) from VM %s",
          snapshots.file(key).getFileName(), bytes >> 20, took.toMillis(), vm.id());
      listener.snapshotSaved(snapshots.file(key), bytes, took);
    } catch (IOException | LaunchException e) {
      LOG.warnf("VM %s: cannot save a snapshot of its shape: %s", vm.id(), e.getMessage());
    } finally {
      saving.remove(key.hash());
    }
  }

  /** Boots a VM from its kernel and waits for the agent, without snapshot or identity. */
  private QemuVm boot(
      Path qemuBinary,
      VmSpec spec,
      GuestImage image,
      QemuAccelerator accelerator,
      Duration timeout) {
    QemuVm vm =
        spawn(command(qemuBinary, spec, image, accelerator), Confinement.NONE, StartKind.COLD_BOOT);
    vm.awaitReady(timeout, false);
    return vm;
  }

  private QemuCommand command(
      Path qemuBinary, VmSpec spec, GuestImage image, QemuAccelerator accelerator) {
    Optional<Path> disk =
        spec.persistMib() > 0
            ? Optional.of(disks.ensure(spec.id(), spec.persistMib()))
            : Optional.empty();
    return new QemuCommand(
        qemuBinary,
        spec,
        image,
        accelerator,
        VmPaths.of(config.stateDir(), spec.id()),
        disk,
        tscKhz(),
        config.guestCommandsAsRoot());
  }

  /**
   * Starts QEMU in a fresh VM directory and records it; a restore starts it with {@code -incoming
   * defer}, to load the snapshot over QMP.
   */
  private QemuVm spawn(QemuCommand command, Confinement confinement, StartKind kind) {
    List<String> extra =
        kind == StartKind.SNAPSHOT_RESTORE ? List.of("-incoming", "defer") : List.of();
    Started started = startQemu(command, confinement, extra);
    return new QemuVm(
        started.state(), command.paths(), started.process(), kind, scheduler, this::forget);
  }

  private record Started(VmProcess process, VmState state) {}

  /** What the VM's state file records of QEMU started now with this command line. */
  private static VmState stateOf(QemuCommand command, long pid, int httpPort, int dnsPort) {
    VmPaths paths = command.paths();
    return new VmState(
        VmState.CURRENT_VERSION,
        pid,
        command.spec(),
        command.accelerator(),
        paths.agentSocket().toString(),
        paths.qmpSocket().toString(),
        paths.consoleLog().toString(),
        Instant.now(),
        command.image().key(),
        httpPort,
        dnsPort);
  }

  /** Starts QEMU in a fresh VM directory and records it in the directory's state file. */
  private Started startQemu(QemuCommand command, Confinement confinement, List<String> extraArgs) {
    VmSpec spec = command.spec();
    VmPaths paths = command.paths();
    createFreshDir(paths.dir());
    List<String> argv = new ArrayList<>(command.argv());
    argv.addAll(extraArgs);
    Optional<EgressProxy> proxy =
        spec.network() == GuestNetwork.EGRESS
            ? Optional.of(
                egress.open(
                    spec.id(),
                    EgressPolicy.parse(spec.egressAllow()),
                    0,
                    0,
                    confinement.netns().map(NetNamespace::open)))
            : Optional.empty();
    Optional<QemuUser> user = config.qemuUser().map(QemuUser::new);
    user.ifPresent(u -> grantQemuUser(u, paths, command.persistDisk(), command.image()));
    VmProcess process;
    try {
      process =
          VmProcess.spawn(
              argv,
              paths,
              confinement.isNone()
                  ? cgroup(spec, paths, proxy).stream().toList()
                  : confined(spec, confinement, proxy),
              confinement.netns(),
              user.map(QemuUser::setpriv).orElse(List.of()));
    } catch (RuntimeException e) {
      proxy.ifPresent(p -> releaseNetwork(spec, paths, p.httpPort(), p.dnsPort()));
      deleteTree(paths.dir());
      throw e;
    }
    VmState state =
        stateOf(
            command,
            process.pid(),
            proxy.map(EgressProxy::httpPort).orElse(0),
            proxy.map(EgressProxy::dnsPort).orElse(0));
    try {
      StateFiles.write(paths.stateFile(), state);
    } catch (LaunchException e) {
      discard(process, paths.dir());
      releaseNetwork(spec, paths, state.egressHttpPort(), state.egressDnsPort());
      throw e;
    }
    return new Started(process, state);
  }

  /**
   * Spares are kept for VMs without network or persistent disk: those would need the VM's own
   * cgroup, egress proxy or disk before QEMU starts.
   */
  private static boolean sparable(VmSpec spec) {
    return spec.network() == GuestNetwork.NONE && spec.persistMib() == 0;
  }

  /** Starts a spare QEMU for the next VM of this shape, if the shape has a snapshot. */
  private void prepareSpare(Path qemuBinary, VmSpec spec, GuestImage image, SnapshotKey key) {
    if (!sparable(spec) || snapshots.find(key).isEmpty()) {
      return;
    }
    byte[] bytes = new byte[6];
    random.nextBytes(bytes);
    spares.prepare(
        key,
        SpareQemus.ID_PREFIX + HexFormat.of().formatHex(bytes),
        id -> startSpare(qemuBinary, spec, image, key, id));
  }

  private SpareQemus.Spare startSpare(
      Path qemuBinary, VmSpec spec, GuestImage image, SnapshotKey key, String id) {
    VmSpec spareSpec =
        new VmSpec(id, spec.language(), spec.vcpus(), spec.memoryMib(), spec.network(), 0);
    QemuCommand command = command(qemuBinary, spareSpec, image, accelerator());
    if (!SnapshotKey.of(command, qemuVersion()).equals(key)) {
      throw new LaunchException("its command line would not match the snapshot's");
    }
    Started started =
        startQemu(command, Confinement.NONE, List.of("-incoming", "defer", "-mem-prealloc"));
    try {
      started.process().awaitQmp(command.paths().qmpSocket(), config.bootTimeout());
    } catch (IOException e) {
      discard(started.process(), command.paths().dir());
      throw new LaunchException("spare QEMU " + id + " did not start: " + e.getMessage(), e);
    }
    return new SpareQemus.Spare(key, id, command.paths(), started.process());
  }

  /**
   * The VM in the spare QEMU of its shape, if one waits: the spare's directory becomes the VM's
   * (QEMU's sockets and files move with it, and so does its working directory, by which {@link
   * ProcFs} knows it from now on), its state file is the VM's, and QEMU gets the calling thread's
   * CPU priority.
   */
  private Optional<QemuVm> fromSpare(QemuCommand command, SnapshotKey key) {
    VmSpec spec = command.spec();
    Optional<SpareQemus.Spare> taken = sparable(spec) ? spares.take(key) : Optional.empty();
    if (taken.isEmpty()) {
      return Optional.empty();
    }
    SpareQemus.Spare spare = taken.get();
    VmPaths paths = command.paths();
    try {
      deleteTree(paths.dir());
      Files.move(spare.paths().dir(), paths.dir(), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | LaunchException e) {
      discard(spare.process(), spare.paths().dir());
      LOG.warnf("VM %s: cannot take spare QEMU %s: %s", spec.id(), spare.id(), e.getMessage());
      return Optional.empty();
    }
    VmState state = stateOf(command, spare.process().pid(), 0, 0);
    try {
      StateFiles.write(paths.stateFile(), state);
    } catch (LaunchException e) {
      discard(spare.process(), paths.dir());
      throw e;
    }
    try {
      CpuPriority.set(spare.process().pid(), CpuPriority.ofCurrentThread());
    } catch (IOException e) {
      LOG.warnf("VM %s: %s", spec.id(), e.getMessage());
    }
    return Optional.of(
        new QemuVm(
            state, paths, spare.process(), StartKind.SNAPSHOT_RESTORE, scheduler, this::forget));
  }

  /** Kills a QEMU nobody will have (a spare, or one that could not be recorded) and its files. */
  private void discard(VmProcess process, Path dir) {
    process.kill();
    process
        .exit()
        .orTimeout(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(t -> null)
        .join();
    deleteTree(dir);
  }

  /** What QEMU, running as its own user, must reach: the VM's files and the image's. */
  private void grantQemuUser(QemuUser user, VmPaths paths, Optional<Path> disk, GuestImage image) {
    List<Path> searchable = new ArrayList<>(List.of(config.stateDir(), paths.dir().getParent()));
    disk.ifPresent(d -> searchable.add(d.getParent()));
    user.grant(searchable, paths.dir(), paths.consoleLog(), disk);
    for (Path file :
        List.of(config.stateDir(), image.kernel(), image.initramfs(), image.rootfs())) {
      user.checkReachable(file);
    }
  }

  /**
   * The running VM with this id: known here, or re-adopted from its state file. Cleans up a dead
   * one.
   */
  private Optional<QemuVm> adopt(String id) {
    synchronized (adoptLock) {
      QemuVm known = vms.get(id);
      if (known != null) {
        if (known.isAlive()) {
          return Optional.of(known);
        }
        // Ended or stopping: its cleanup must finish before the id's directory can be reused.
        if (!known.awaitGone(KILL_WAIT)) {
          throw new LaunchException(
              "VM '" + id + "' is still stopping: try again in a few seconds");
        }
        return Optional.empty();
      }
      VmPaths paths = VmPaths.of(config.stateDir(), id);
      if (!Files.isDirectory(paths.dir())) {
        return Optional.empty();
      }
      Optional<VmState> state = StateFiles.read(paths.stateFile(), VmState.class);
      Optional<VmProcess> process = state.flatMap(s -> VmProcess.adopt(s.pid(), paths, watcher));
      if (process.isEmpty()) {
        removeDead(paths, state);
        return Optional.empty();
      }
      QemuVm vm =
          new QemuVm(state.get(), paths, process.get(), StartKind.ADOPTED, scheduler, this::forget);
      try {
        vm.awaitReady(ADOPT_TIMEOUT, true);
      } catch (LaunchException e) {
        if (!vm.isHeldStopped()) {
          throw e;
        }
        // Its launcher died mid-restore or mid-save: no one will ever resume the guest.
        LOG.warnf("removing VM %s (pid %d): QEMU holds its guest stopped", id, vm.pid());
        vm.kill();
        return Optional.empty();
      }
      reopenEgress(state.get());
      vms.put(id, vm);
      LOG.infof("re-adopted VM %s (pid %d)", id, vm.pid());
      return Optional.of(vm);
    }
  }

  /**
   * Removes a dead VM's directory. Without a state file a launcher died between starting QEMU and
   * recording it: kill any QEMU still carrying the directory in its command line.
   */
  private void removeDead(VmPaths paths, Optional<VmState> state) {
    if (state.isEmpty()) {
      for (long pid : ProcFs.findByMarker(paths.marker())) {
        LOG.warnf("killing unrecorded QEMU %d of %s", pid, paths.dir());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    LOG.infof("removing the state of dead VM %s", paths.dir().getFileName());
    deleteTree(paths.dir());
    GuestNetworkGuard.release(paths.cgroupName());
    state.ifPresent(
        s ->
            GuestNetworkGuard.releaseEgress(
                paths.cgroupName(), s.egressHttpPort(), s.egressDnsPort()));
  }

  private void forget(QemuVm vm) {
    vms.remove(vm.id(), vm);
    VmState state = vm.record();
    releaseNetwork(
        vm.spec(),
        VmPaths.of(config.stateDir(), vm.id()),
        state.egressHttpPort(),
        state.egressDnsPort());
  }

  /**
   * The cgroups of a confined VM's QEMU: its network namespace is its own, so a guest with network
   * gets the firewall rules there.
   */
  private List<Path> confined(VmSpec spec, Confinement confinement, Optional<EgressProxy> proxy) {
    Path netns = confinement.netns().orElse(null);
    switch (spec.network()) {
      case NONE -> {}
      case FULL -> GuestNetworkGuard.confine(netns, config.allowedCidrs(), config.deniedCidrs());
      case EGRESS ->
          GuestNetworkGuard.confineEgress(
              netns,
              HostInfo.effectiveUid(),
              proxy.orElseThrow().httpPort(),
              proxy.get().dnsPort(),
              config.allowedCidrs(),
              config.deniedCidrs());
    }
    return confinement.cgroupProcs();
  }

  /** The cgroup a VM's QEMU runs in: none without network, a stricter one with EGRESS. */
  private Optional<Path> cgroup(VmSpec spec, VmPaths paths, Optional<EgressProxy> proxy) {
    return switch (spec.network()) {
      case NONE -> Optional.empty();
      case FULL -> Optional.of(networkGuard().cgroupProcs(paths.cgroupName()));
      case EGRESS ->
          Optional.of(
              networkGuard()
                  .egressCgroupProcs(
                      paths.cgroupName(), proxy.orElseThrow().httpPort(), proxy.get().dnsPort()));
    };
  }

  /** Ends what a VM's network needed on the host, once its QEMU has ended. */
  private void releaseNetwork(VmSpec spec, VmPaths paths, int httpPort, int dnsPort) {
    switch (spec.network()) {
      case NONE -> {}
      case FULL -> GuestNetworkGuard.release(paths.cgroupName());
      case EGRESS -> {
        egress.close(spec.id());
        GuestNetworkGuard.releaseEgress(paths.cgroupName(), httpPort, dnsPort);
      }
    }
  }

  /**
   * A re-adopted egress VM's proxy ended with the launcher that started it: start it again on the
   * ports its guest knows (its firewall elements, or its namespace's rules, outlived that
   * launcher), in QEMU's network namespace. Without it the guest reaches nothing, which is safe.
   */
  private void reopenEgress(VmState state) {
    if (state.spec().network() != GuestNetwork.EGRESS || egress.isOpen(state.spec().id())) {
      return;
    }
    try {
      Optional<Path> netns = NetNamespace.otherThanOurs(state.pid());
      if (netns.isEmpty()) {
        networkGuard();
      }
      egress.open(
          state.spec().id(),
          EgressPolicy.parse(state.spec().egressAllow()),
          state.egressHttpPort(),
          state.egressDnsPort(),
          netns.map(NetNamespace::open));
    } catch (LaunchException e) {
      LOG.warnf("VM %s keeps running without egress: %s", state.spec().id(), e.getMessage());
    }
  }

  /**
   * Installed before the first guest with network boots; a host that cannot enforce it boots none.
   */
  private synchronized GuestNetworkGuard networkGuard() {
    if (networkGuard == null) {
      networkGuard = GuestNetworkGuard.install(config.allowedCidrs(), config.deniedCidrs());
    }
    return networkGuard;
  }

  private synchronized Path qemu() {
    if (qemu == null) {
      qemu = QemuBinary.qemu();
    }
    return qemu;
  }

  private synchronized String qemuVersion() {
    if (qemuVersion == null) {
      qemuVersion = QemuBinary.version(qemu());
    }
    return qemuVersion;
  }

  /** Read once per launcher: the kernel log does not change while the host runs. */
  private synchronized OptionalLong tscKhz() {
    if (tscKhz == null) {
      tscKhz = TscFrequency.read();
      if (tscKhz.isEmpty()) {
        LOG.warn(
            "cannot find the host TSC frequency (sysfs, kernel log, /proc/cpuinfo): guests boot without"
                + " tsc_early_khz and may hang in clock calibration");
      }
    }
    return tscKhz;
  }

  private void ensureOpen() {
    if (closed) {
      throw new LaunchException("this launcher was closed: create a new one");
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static long freeMib(Path stateDir) {
    Path existing = stateDir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing == null
          ? Long.MAX_VALUE
          : Files.getFileStore(existing).getUsableSpace() / (1024 * 1024);
    } catch (IOException e) {
      throw new LaunchException(
          "cannot check free space in " + stateDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The VM's directory, emptied of leftovers and readable by this user only (its sockets run guest
   * code).
   */
  private static void createFreshDir(Path dir) {
    deleteTree(dir);
    try {
      PrivateDirs.createNew(dir);
    } catch (IOException e) {
      throw new LaunchException("cannot create the VM directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new LaunchException("cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Boots a throwaway guest under KVM for the accelerator probe. */
  private final class KvmTestBoot implements AcceleratorProbe.TestBoot {
    private GuestImage image;

    @Override
    public String cacheKey() {
      return HostInfo.kernelRelease() + " | " + QemuBinary.version(qemu()) + " | " + image().key();
    }

    @Override
    public Optional<String> boot(Duration deadline) {
      VmSpec spec =
          new VmSpec(
              "era-kvm-probe-" + ProcessHandle.current().pid(),
              image().language(),
              1,
              256,
              GuestNetwork.NONE,
              0);
      try {
        QemuVm vm = QemuLauncher.this.boot(qemu(), spec, image(), QemuAccelerator.KVM, deadline);
        vm.kill();
        return Optional.empty();
      } catch (LaunchException e) {
        return Optional.of(e.getMessage());
      }
    }

    /** Any image already built, else the Python one (a host that runs guests needs one anyway). */
    private GuestImage image() {
      if (image == null) {
        GuestLanguage language = images.present().stream().findFirst().orElse(GuestLanguage.PYTHON);
        image = images.ensure(language, ProgressListener.SILENT);
      }
      return image;
    }
  }
}
