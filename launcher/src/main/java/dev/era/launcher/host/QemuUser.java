package dev.era.launcher.host;

import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The unprivileged user and group QEMU runs as when the launcher runs as root, so that a guest that
 * escapes into QEMU holds no capability and none of the launcher's files: QEMU starts through
 * {@code setpriv}, which drops to the user, keeps only the group of {@code /dev/kvm} as a
 * supplementary group, and empties the capability sets. The launcher gives the user just what a VM
 * needs: search (not read) on the state directories, write on the VM's console log, its persistent
 * disk, and the VM's directory, where QEMU makes its sockets. Image files must be readable by
 * others, as the image cache makes them.
 *
 * @param name a user name or a numeric UID; its group is the group of the same name or number
 */
public record QemuUser(String name) {
  private static final Set<PosixFilePermission> SEARCH_ONLY =
      PosixFilePermissions.fromString("rwx--x---");
  private static final Set<PosixFilePermission> GROUP_WRITES =
      PosixFilePermissions.fromString("rw--w----");
  private static final Set<PosixFilePermission> GROUP_READS_WRITES =
      PosixFilePermissions.fromString("rw-rw----");

  /** rwx for owner and group, sticky: QEMU's group creates sockets, but replaces none of ours. */
  private static final int VM_DIR_MODE = 01770;

  private static final Path KVM = Path.of("/dev/kvm");

  /**
   * The user QEMU runs as when the launcher runs as root; none (QEMU as the launcher) otherwise.
   */
  public static Optional<QemuUser> whenRoot(String name) {
    return LibC.INSTANCE.geteuid() == 0 ? Optional.of(new QemuUser(name)) : Optional.empty();
  }

  /**
   * What goes before QEMU's argv: setpriv with this user and group, the group of /dev/kvm when it
   * has one (other than root's), no capabilities, no new privileges.
   */
  public List<String> setpriv() {
    List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid", name, "--regid", name));
    Optional<Integer> kvmGroup = kvmGroup();
    if (kvmGroup.isPresent()) {
      argv.addAll(List.of("--groups", kvmGroup.get().toString()));
    } else {
      argv.add("--clear-groups");
    }
    argv.addAll(List.of("--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
    return argv;
  }

  /**
   * Lets QEMU reach a VM's files before it starts: each of {@code searchable} (the state
   * directories above the VM's) gets this group and search for it, the VM's directory becomes
   * writable by the group, the console log (created here) and the persistent disk writable by it.
   */
  public void grant(List<Path> searchable, Path vmDir, Path consoleLog, Optional<Path> disk) {
    try {
      GroupPrincipal group = group();
      for (Path dir : searchable) {
        setGroup(dir, group);
        Files.setPosixFilePermissions(dir, SEARCH_ONLY);
      }
      setGroup(vmDir, group);
      LibC.INSTANCE.chmod(vmDir.toString(), VM_DIR_MODE);
      Files.deleteIfExists(consoleLog);
      Files.createFile(consoleLog);
      setGroup(consoleLog, group);
      Files.setPosixFilePermissions(consoleLog, GROUP_WRITES); // the umask keeps group bits off
      if (disk.isPresent()) {
        setGroup(disk.get(), group);
        Files.setPosixFilePermissions(disk.get(), GROUP_READS_WRITES);
      }
    } catch (IOException | RuntimeException e) {
      throw new LaunchException(
          "cannot give QEMU's user '" + name + "' its VM's files: " + e.getMessage(), e);
    }
  }

  /**
   * Fails unless every directory above {@code path} lets others (or this group) search it: a state
   * or image directory in a private home stops QEMU from starting.
   */
  public void checkReachable(Path path) {
    for (Path dir = path.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
      PosixFileAttributes attributes;
      try {
        attributes = Files.getFileAttributeView(dir, PosixFileAttributeView.class).readAttributes();
        boolean others = attributes.permissions().contains(PosixFilePermission.OTHERS_EXECUTE);
        boolean group =
            attributes.group().equals(group())
                && attributes.permissions().contains(PosixFilePermission.GROUP_EXECUTE);
        if (!others && !group) {
          throw new LaunchException(
              "QEMU runs as '"
                  + name
                  + "', which cannot reach "
                  + path
                  + ": "
                  + dir
                  + " does not let others search it (chmod o+x "
                  + dir
                  + ", or keep ERA's state and images elsewhere)");
        }
      } catch (IOException e) {
        throw new LaunchException("cannot read " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  private GroupPrincipal group() throws IOException {
    return lookup().lookupPrincipalByGroupName(name);
  }

  private static void setGroup(Path file, GroupPrincipal group) throws IOException {
    Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setGroup(group);
  }

  /** Whether this user is {@code uid}: a numeric name is its UID, another name is looked up. */
  public boolean hasUid(int uid) {
    if (name.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(name) == uid;
    }
    try {
      Process id = new ProcessBuilder("id", "-u", name).redirectErrorStream(true).start();
      String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (id.waitFor() != 0) {
        throw new LaunchException("QEMU's user " + name + " does not exist: " + out);
      }
      return Integer.parseInt(out) == uid;
    } catch (IOException e) {
      throw new LaunchException("cannot look up QEMU's user " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted while looking up QEMU's user " + name, e);
    }
  }

  private static UserPrincipalLookupService lookup() {
    return FileSystems.getDefault().getUserPrincipalLookupService();
  }

  private static Optional<Integer> kvmGroup() {
    try {
      int gid = (Integer) Files.getAttribute(KVM, "unix:gid");
      return gid == 0 ? Optional.empty() : Optional.of(gid);
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }
}
