package dev.era.launcher;

import dev.era.launcher.host.Cidr;
import dev.era.launcher.host.XdgDirs;
import dev.era.launcher.image.GuestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How a {@link QemuLauncher} is set up.
 *
 * @param stateDir VMs' runtime files ({@code vms/<id>/}) and persistent disks ({@code
 *     disks/<id>.img})
 * @param cacheDir guest snapshots ({@code snapshots/}), the accelerator probe's outcome and, by
 *     default, guest images
 * @param accelerator a forced accelerator, or empty to probe
 * @param bootTimeout how long a boot may take to reach the guest agent
 * @param maxVcpus the most vCPUs one guest may have, at most the host's cores; 0 means the host's
 *     cores
 * @param guestCommandsAsRoot guests run commands as root rather than 65532: for tests only, which
 *     play a guest whose code became root to show that the host's rules hold without the guest's
 * @param allowedCidrs address ranges guests with network may reach although the host's firewall
 *     denies them by default (private, link-local, the host's own addresses): what an admin
 *     explicitly opens, e.g. an internal package mirror
 * @param deniedCidrs address ranges guests with network may not reach, on top of those denied by
 *     default: in a cluster, its pod and Service CIDRs where they lie outside the private ranges
 * @param consoleLogMaxBytes disk one VM's console log may take: a guest that writes more (root in
 *     it, say) loses the middle
 * @param qemuUser the user (a name or a numeric UID, with the group of the same name or number)
 *     QEMU runs as instead of the launcher's, with no capabilities: for a launcher that runs as
 *     root; empty runs QEMU as the launcher's user
 */
public record LauncherConfig(
    Path stateDir,
    Path cacheDir,
    Optional<QemuAccelerator> accelerator,
    Duration bootTimeout,
    int maxVcpus,
    boolean guestCommandsAsRoot,
    List<String> allowedCidrs,
    List<String> deniedCidrs,
    long consoleLogMaxBytes,
    Optional<String> qemuUser) {
  /**
   * TCG boots take ~1.1 s alone but many at once on a small host take much longer. ISO-8601, so
   * that the node agent's settings can name it as their default.
   */
  public static final String DEFAULT_BOOT_TIMEOUT = "PT60S";

  public static final long DEFAULT_CONSOLE_LOG_MAX_BYTES = 1 << 20;

  /**
   * QEMU's user where a root launcher sets none itself (the node agent): a numeric UID, so that no
   * image or node needs a passwd entry for it.
   */
  public static final String DEFAULT_QEMU_USER = "64400";

  /** Room for the boot messages that the cap keeps and a note where it cut. */
  private static final long MIN_CONSOLE_LOG_MAX_BYTES = 16 * 1024;

  public LauncherConfig {
    stateDir = Objects.requireNonNull(stateDir, "stateDir").toAbsolutePath().normalize();
    cacheDir = Objects.requireNonNull(cacheDir, "cacheDir").toAbsolutePath().normalize();
    Objects.requireNonNull(accelerator, "accelerator");
    if (bootTimeout == null || bootTimeout.isNegative() || bootTimeout.isZero()) {
      throw new InvalidSpecException("bootTimeout must be positive, got " + bootTimeout);
    }
    if (maxVcpus < 0) {
      throw new InvalidSpecException(
          "maxVcpus must be 0 (the host's cores) or positive, got " + maxVcpus);
    }
    allowedCidrs = Cidr.checkAll("allowedCidrs", allowedCidrs);
    deniedCidrs = Cidr.checkAll("deniedCidrs", deniedCidrs);
    Objects.requireNonNull(qemuUser, "qemuUser");
    if (consoleLogMaxBytes < MIN_CONSOLE_LOG_MAX_BYTES) {
      throw new InvalidSpecException(
          "consoleLogMaxBytes must be at least "
              + MIN_CONSOLE_LOG_MAX_BYTES
              + ", got "
              + consoleLogMaxBytes);
    }
  }

  public LauncherConfig(
      Path stateDir, Path cacheDir, Optional<QemuAccelerator> accelerator, Duration bootTimeout) {
    this(
        stateDir,
        cacheDir,
        accelerator,
        bootTimeout,
        0,
        false,
        List.of(),
        List.of(),
        DEFAULT_CONSOLE_LOG_MAX_BYTES,
        Optional.empty());
  }

  /**
   * {@code $XDG_STATE_HOME/era} (or {@code ~/.local/state/era}), the image cache's default, {@code
   * ERA_ACCEL}.
   */
  public static LauncherConfig defaults() {
    return new LauncherConfig(
        XdgDirs.current().stateHome().resolve("era"),
        GuestImages.defaultCacheDir(),
        parseAccelerator(System.getenv("ERA_ACCEL")),
        Duration.parse(DEFAULT_BOOT_TIMEOUT));
  }

  /** Reads {@code ERA_ACCEL}: unset or blank means probe. */
  public static Optional<QemuAccelerator> parseAccelerator(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "tcg":
        return Optional.of(QemuAccelerator.TCG);
      case "kvm":
        return Optional.of(QemuAccelerator.KVM);
      default:
        throw new InvalidSpecException(
            "ERA_ACCEL must be 'tcg' or 'kvm' (or unset to probe), got '" + value + "'");
    }
  }

  public LauncherConfig withStateDir(Path dir) {
    return copy(c -> c.stateDir = dir);
  }

  public LauncherConfig withCacheDir(Path dir) {
    return copy(c -> c.cacheDir = dir);
  }

  public LauncherConfig withAccelerator(QemuAccelerator forced) {
    return copy(c -> c.accelerator = Optional.ofNullable(forced));
  }

  public LauncherConfig withBootTimeout(Duration timeout) {
    return copy(c -> c.bootTimeout = timeout);
  }

  public LauncherConfig withMaxVcpus(int max) {
    return copy(c -> c.maxVcpus = max);
  }

  public LauncherConfig withConsoleLogMaxBytes(long max) {
    return copy(c -> c.consoleLogMaxBytes = max);
  }

  /** See {@code qemuUser}; null runs QEMU as the launcher's user. */
  public LauncherConfig withQemuUser(String user) {
    return copy(c -> c.qemuUser = Optional.ofNullable(user));
  }

  /** For tests of host-side isolation only: see {@code guestCommandsAsRoot}. */
  public LauncherConfig withGuestCommandsAsRoot() {
    return copy(c -> c.guestCommandsAsRoot = true);
  }

  /** The ranges guests with network may reach, and those they may not, beyond the defaults. */
  public LauncherConfig withCidrs(List<String> allowed, List<String> denied) {
    return copy(
        c -> {
          c.allowedCidrs = allowed;
          c.deniedCidrs = denied;
        });
  }

  /** This config with the changes {@code change} makes, checked again by the constructor. */
  private LauncherConfig copy(Consumer<Copy> change) {
    Copy c = new Copy();
    change.accept(c);
    return c.build();
  }

  /** This config's components, for the withers to change before {@link #build}. */
  private final class Copy {
    Path stateDir = LauncherConfig.this.stateDir;
    Path cacheDir = LauncherConfig.this.cacheDir;
    Optional<QemuAccelerator> accelerator = LauncherConfig.this.accelerator;
    Duration bootTimeout = LauncherConfig.this.bootTimeout;
    int maxVcpus = LauncherConfig.this.maxVcpus;
    boolean guestCommandsAsRoot = LauncherConfig.this.guestCommandsAsRoot;
    List<String> allowedCidrs = LauncherConfig.this.allowedCidrs;
    List<String> deniedCidrs = LauncherConfig.this.deniedCidrs;
    long consoleLogMaxBytes = LauncherConfig.this.consoleLogMaxBytes;
    Optional<String> qemuUser = LauncherConfig.this.qemuUser;

    LauncherConfig build() {
      return new LauncherConfig(
          stateDir,
          cacheDir,
          accelerator,
          bootTimeout,
          maxVcpus,
          guestCommandsAsRoot,
          allowedCidrs,
          deniedCidrs,
          consoleLogMaxBytes,
          qemuUser);
    }
  }
}
