package dev.era.launcher.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories only their owner may enter (0700). ERA's state holds guest disks, run logs, agent
 * sockets and saved API objects (Secrets among them); other local users are not to be trusted.
 */
public final class PrivateDirs {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  /** What {@link QemuUser} makes of the directories above a VM's: QEMU's group may pass. */
  private static final Set<PosixFilePermission> GROUP_SEARCH =
      PosixFilePermissions.fromString("rwx--x---");

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_ATTRIBUTE =
      PosixFilePermissions.asFileAttribute(OWNER_ONLY);

  private PrivateDirs() {}

  /**
   * Creates {@code dir} and its missing parents as 0700, and makes {@code dir} 0700 if it existed
   * with more than that and search for its group (0710).
   */
  public static Path create(Path dir) throws IOException {
    Files.createDirectories(dir, OWNER_ONLY_ATTRIBUTE);
    Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir);
    if (!now.equals(OWNER_ONLY) && !now.equals(GROUP_SEARCH)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY);
    }
    return dir;
  }

  /** Creates {@code dir}, which must not exist, as 0700; missing parents as 0700 too. */
  public static Path createNew(Path dir) throws IOException {
    create(dir.getParent());
    return Files.createDirectory(dir, OWNER_ONLY_ATTRIBUTE);
  }
}
